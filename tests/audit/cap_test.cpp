// The audit's --max-utts-per-speaker and the corpus filter max_utts_per_speaker keep the same utterances for the
// same seed (docs/corpus-specs.md): one sampling function, group_sample_order.
#include <gtest/gtest.h>

#include <set>

#include "speechleak/audit/feature_set.h"
#include "speechleak/corpus/filter.h"

namespace speechleak::audit {
namespace {

TEST(UtteranceCap, AgreesWithTheCorpusFilter) {
  corpus::Corpus c;
  FeatureSet set;
  for (int s = 0; s < 6; ++s) {
    const std::string spk = "spk" + std::to_string(s);
    c.speakers[spk].id = spk;
    for (int k = 0; k < 4 + s; ++k) {
      corpus::Utterance u;
      u.id = spk + "-" + std::to_string(100 + k);
      u.speaker_id = spk;
      u.source = corpus::AudioSource::file("/nonexistent/" + u.id + ".wav");
      u.duration_s = 2.0;
      c.utterances.push_back(u);
    }
  }
  c.finalize();
  for (const auto& u : c.utterances) {  // a store holds its records in corpus order
    UtteranceFeatures f;
    f.utt_id = u.id;
    f.speaker_id = u.speaker_id;
    set.utterances.push_back(f);
  }
  for (uint64_t seed : {1, 2, 9}) {
    auto filtered = c;
    corpus::FilterOptions o;
    o.max_utts_per_speaker = 3;
    o.seed = seed;
    corpus::apply_filters(filtered, o);
    auto capped = set;
    cap_utterances_per_speaker(capped, 3, seed);
    std::set<std::string> a, b;
    for (const auto& u : filtered.utterances) a.insert(u.id);
    for (const auto& u : capped.utterances) b.insert(u.utt_id);
    EXPECT_EQ(a.size(), 18u);
    EXPECT_EQ(a, b) << "seed " << seed;
  }
}

}  // namespace
}  // namespace speechleak::audit
