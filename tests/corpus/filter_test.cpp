#include "speechleak/corpus/filter.h"

#include <gtest/gtest.h>

#include "speechleak/util/random.h"

#include <algorithm>
#include <random>
#include <set>

#include "corpus/reader_test_helpers.h"
#include "speechleak/util/error.h"
#include "support/test_support.h"

namespace speechleak::corpus {
namespace {

using speechleak::testing::TempDir;
using speechleak::testing::write_text;
using speechleak::testing::write_tone;
using test::ids;
using Strings = std::vector<std::string>;

// `speakers` speakers s00.. with `per` utterances each; utterance k lasts k+1 seconds (known, no audio needed).
Corpus synthetic(int speakers, int per) {
  Corpus c;
  for (int s = 0; s < speakers; ++s) {
    const std::string spk = (s < 10 ? "s0" : "s") + std::to_string(s);
    c.speakers[spk].id = spk;
    for (int k = 0; k < per; ++k) {
      Utterance u;
      u.id = spk + "-" + std::to_string(k);
      u.speaker_id = spk;
      u.source = AudioSource::file("/nonexistent/" + u.id + ".wav");
      u.duration_s = k + 1.0;
      c.utterances.push_back(std::move(u));
    }
  }
  c.finalize();
  return c;
}

FilterOptions sample(int64_t speakers, int64_t per, uint64_t seed) {
  FilterOptions o;
  o.max_speakers = speakers;
  o.max_utts_per_speaker = per;
  o.seed = seed;
  return o;
}

Strings filtered_ids(Corpus c, const FilterOptions& o) {
  apply_filters(c, o);
  return ids(c);
}

TEST(Filter, SamplesSpeakersAndUtterances) {
  Corpus c = synthetic(10, 8);
  const auto r = apply_filters(c, sample(3, 2, 7));
  EXPECT_EQ(c.speaker_ids().size(), 3u);
  EXPECT_EQ(c.utterances.size(), 6u);
  for (const auto& [spk, utts] : c.utterances_by_speaker()) EXPECT_EQ(utts.size(), 2u) << spk;
  EXPECT_EQ(test::speaker_keys(c), c.speaker_ids());  // dropped speakers leave the map
  EXPECT_TRUE(std::is_sorted(c.utterances.begin(), c.utterances.end(),
                             [](const Utterance& a, const Utterance& b) { return a.id < b.id; }));
  EXPECT_EQ(r.utterances_before, 80u);
  EXPECT_EQ(r.utterances_after, 6u);
  EXPECT_EQ(r.speakers_before, 10u);
  EXPECT_EQ(r.speakers_after, 3u);
  EXPECT_EQ(r.summary(), "kept 6 of 80 utterances and 3 of 10 speakers");
}

TEST(Filter, DeterministicPerSeedDifferentAcrossSeeds) {
  const Corpus c = synthetic(12, 10);
  const auto a = filtered_ids(c, sample(4, 3, 1));
  EXPECT_EQ(filtered_ids(c, sample(4, 3, 1)), a);
  std::set<Strings> distinct;
  for (uint64_t seed = 1; seed <= 5; ++seed) distinct.insert(filtered_ids(c, sample(4, 3, seed)));
  EXPECT_EQ(distinct.size(), 5u);
  std::set<Strings> utterance_samples;  // all speakers kept: only the utterance draw varies
  for (uint64_t seed = 1; seed <= 5; ++seed) utterance_samples.insert(filtered_ids(c, sample(0, 3, seed)));
  EXPECT_EQ(utterance_samples.size(), 5u);
}

TEST(Filter, IndependentOfInputOrder) {
  Corpus c = synthetic(12, 10);
  const auto expected = filtered_ids(c, sample(4, 3, 9));
  seeded_shuffle(c.utterances, 123);
  EXPECT_EQ(filtered_ids(c, sample(4, 3, 9)), expected);
}

TEST(Filter, UtteranceSampleOfASpeakerDoesNotDependOnOtherSpeakers) {
  const Corpus all = synthetic(12, 10);
  Corpus one = all;
  std::erase_if(one.utterances, [](const Utterance& u) { return u.speaker_id != "s03"; });
  Corpus c = all;
  apply_filters(c, sample(0, 3, 5));
  apply_filters(one, sample(0, 3, 5));
  Strings from_all;
  for (const auto& u : c.utterances)
    if (u.speaker_id == "s03") from_all.push_back(u.id);
  EXPECT_EQ(ids(one), from_all);
}

TEST(Filter, DurationBoundsAreInclusive) {
  Corpus c = synthetic(2, 6);  // durations 1..6
  FilterOptions o;
  o.min_duration_s = 2;
  o.max_duration_s = 4;
  const auto r = apply_filters(c, o);
  EXPECT_EQ(ids(c), (Strings{"s00-1", "s00-2", "s00-3", "s01-1", "s01-2", "s01-3"}));
  EXPECT_EQ(r.too_short, 2u);
  EXPECT_EQ(r.too_long, 4u);
  EXPECT_EQ(r.probed, 0u);  // all durations were known
}

TEST(Filter, SpeakersWithoutPassingUtterancesAreNotChosen) {
  Corpus c = synthetic(6, 3);
  for (auto& u : c.utterances)
    if (u.speaker_id != "s02" && u.speaker_id != "s04") u.duration_s = 100;
  FilterOptions o = sample(2, 0, 11);
  o.max_duration_s = 10;
  apply_filters(c, o);
  EXPECT_EQ(c.speaker_ids(), (Strings{"s02", "s04"}));
  EXPECT_EQ(c.utterances.size(), 6u);
}

TEST(Filter, ProbesHeadersAndSkipsUnreadableAudio) {
  TempDir dir;
  write_tone(dir / "short.wav", 0.2);
  write_tone(dir / "long.wav", 0.5);
  write_text(dir / "broken.wav", "this is not a wav file");
  Corpus c;
  auto add = [&](const std::string& id, AudioSource src) {
    Utterance u;
    u.id = id;
    u.speaker_id = "s";
    u.source = std::move(src);
    c.utterances.push_back(std::move(u));
  };
  add("a-short", AudioSource::file((dir / "short.wav").string()));
  add("b-long", AudioSource::file((dir / "long.wav").string()));
  add("c-broken", AudioSource::file((dir / "broken.wav").string()));
  add("d-seg", AudioSource::segment((dir / "long.wav").string(), 0.1, 0.4));
  add("e-seg-open", AudioSource::segment((dir / "long.wav").string(), 0.35, -1));
  add("f-piped", AudioSource::piped("cat x.wav"));
  c.finalize();
  FilterOptions o;
  o.min_duration_s = 0.25;
  std::vector<Progress> seen;
  const auto r = apply_filters(c, o, [&](const Progress& p) { seen.push_back(p); });
  EXPECT_EQ(ids(c), (Strings{"b-long", "d-seg"}));
  EXPECT_EQ(test::skips(c), (Strings{"c-broken: unreadable audio", "f-piped: duration unknown"}));
  EXPECT_EQ(r.probed, 3u);  // short, long, e-seg-open; d-seg's bounds are known, broken failed
  EXPECT_EQ(r.unknown_duration, 2u);
  EXPECT_EQ(r.too_short, 2u);
  EXPECT_NEAR(c.find("b-long")->duration_s, 0.5, 1e-9);  // the probe is remembered
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen.back().stage, "check durations");
  EXPECT_EQ(seen.back().done, 6);
  EXPECT_EQ(seen.back().failed, 2);
}

TEST(Filter, InactiveIsANoOpAndValidateRejectsNonsense) {
  Corpus c = synthetic(3, 3);
  const auto r = apply_filters(c, FilterOptions{});
  EXPECT_EQ(c.utterances.size(), 9u);
  EXPECT_EQ(r.utterances_after, 9u);
  FilterOptions o;
  o.max_speakers = -1;
  EXPECT_THROW(o.validate(), InvalidArgument);
  o = {};
  o.min_duration_s = 3;
  o.max_duration_s = 2;
  EXPECT_THROW(o.validate(), InvalidArgument);
  o = {};
  o.min_duration_s = -0.5;
  EXPECT_THROW(apply_filters(c, o), InvalidArgument);
  EXPECT_EQ(FilterOptions{}.to_string(), "max_speakers=0 max_utts_per_speaker=0 min_duration=0 max_duration=0 seed=0");
}

}  // namespace
}  // namespace speechleak::corpus
