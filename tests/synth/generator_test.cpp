// End-to-end tests of the corpus generator on tiny corpora (a few speakers x a few utterances).
#include "speechleak/synth/generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "speechleak/audio/audio_io.h"
#include "speechleak/corpus/ctm.h"
#include "speechleak/corpus/librispeech.h"
#include "speechleak/corpus/textgrid.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/synth/plan.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "support/test_support.h"
#include "synth/synth_test_util.h"

namespace speechleak::synth {
namespace {

namespace fs = std::filesystem;
using speechleak::testing::TempDir;
using test::snapshot;
using test::tiny_config;

const std::vector<std::string> kAllSubsets = {"pretrain", "aux", "heldout", "finetune", "canaries"};

// One corpus shared by the read-only checks (synthesis is the slow part).
class SynthCorpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    config_ = new SynthConfig(tiny_config());
    summary_ = new SynthSummary(generate_corpus(root(), *config_, [](const Progress& p) { last_progress_ = p; }));
    corpus::LibriSpeechOptions o;
    o.subsets = kAllSubsets;
    corpus_ = new corpus::Corpus(corpus::read_librispeech(root(), o));
  }
  static void TearDownTestSuite() {
    delete corpus_;
    delete summary_;
    delete config_;
    delete dir_;
  }
  static fs::path root() { return dir_->path() / "corpus"; }
  static fs::path tree_path(const corpus::Utterance& u) { return fs::path(u.source.path); }

  static TempDir* dir_;
  static SynthConfig* config_;
  static SynthSummary* summary_;
  static corpus::Corpus* corpus_;
  static Progress last_progress_;
};
TempDir* SynthCorpus::dir_ = nullptr;
SynthConfig* SynthCorpus::config_ = nullptr;
SynthSummary* SynthCorpus::summary_ = nullptr;
corpus::Corpus* SynthCorpus::corpus_ = nullptr;
Progress SynthCorpus::last_progress_;

TEST_F(SynthCorpus, IsFinishedWithMarkerAndNoLeftovers) {
  EXPECT_TRUE(fs::exists(root() / "synth.json"));
  EXPECT_FALSE(fs::exists(root().string() + ".partial"));
  EXPECT_FALSE(fs::exists(root() / ".synth-state"));
  const auto marker = nlohmann::json::parse(read_text_file(root() / "synth.json"));
  EXPECT_EQ(marker["config"], config_->to_json());
  EXPECT_EQ(marker["utterances"].get<size_t>(), summary_->utterances);
  EXPECT_FALSE(marker["espeak_ng_version"].get<std::string>().empty());
  EXPECT_EQ(summary_->utterances, 6u * 3u + 4u);
  EXPECT_EQ(last_progress_.done, static_cast<int64_t>(summary_->utterances));
  EXPECT_EQ(last_progress_.total, last_progress_.done);
  EXPECT_NEAR(last_progress_.work_done, summary_->audio_s, 1e-6);
}

TEST_F(SynthCorpus, LibriSpeechReaderReadsItBack) {
  const CorpusPlan plan = plan_corpus(*config_);
  EXPECT_TRUE(corpus_->skipped.empty()) << corpus_->skipped.summary(corpus_->utterances.size(), "utterances", "read");
  ASSERT_EQ(corpus_->utterances.size(), plan.utterance_count());
  for (const auto& ch : plan.chapters)
    for (const auto& u : ch.utterances) {
      const corpus::Utterance* r = corpus_->find(u.id);
      ASSERT_NE(r, nullptr) << u.id;
      EXPECT_EQ(r->transcript.value_or(""), u.sentence.transcript());
      EXPECT_EQ(r->subset, u.split);
      EXPECT_EQ(r->speaker_id, u.speaker_id);
    }
  for (const auto& [id, s] : corpus_->speakers) {
    EXPECT_EQ(s.sex, std::string(1, plan.voices.at(id).sex)) << id;
    EXPECT_EQ(s.subset, plan.speaker_split.at(id)) << id;
  }
  const auto info = audio::probe_audio(tree_path(corpus_->utterances[0]));
  EXPECT_EQ(info.sample_rate, 16000);
  EXPECT_EQ(info.format, "FLAC");
}

TEST_F(SynthCorpus, SplitsHaveDisjointSpeakersAndTheConfiguredSizes) {
  const auto splits = nlohmann::json::parse(read_text_file(root() / "splits.json"));
  std::set<std::string> seen;
  for (const auto& s : config_->splits()) {
    const auto ids = splits[s.name]["speakers"].get<std::vector<std::string>>();
    EXPECT_EQ(static_cast<int>(ids.size()), s.speakers) << s.name;
    EXPECT_EQ(splits[s.name]["utterances"].get<int>(), s.speakers * s.utts_per_speaker) << s.name;
    for (const auto& id : ids) EXPECT_TRUE(seen.insert(id).second) << id << " is in two splits";
  }
  // New canary speakers belong to no split.
  for (const auto& id : splits["canaries"]["speakers"].get<std::vector<std::string>>()) EXPECT_FALSE(seen.count(id));
  std::map<std::string, std::set<std::string>> subsets_of_speaker;
  for (const auto& u : corpus_->utterances) subsets_of_speaker[u.speaker_id].insert(u.subset);
  for (const auto& [id, subsets] : subsets_of_speaker) EXPECT_EQ(subsets.size(), 1u) << id;
}

TEST_F(SynthCorpus, AlignmentsCoverEveryWordInOrderInsideTheAudio) {
  std::map<std::string, corpus::AlignmentMap> ctms;
  for (const auto& s : kAllSubsets) ctms[s] = corpus::read_ctm(root() / (s + ".ctm"));
  for (const auto& u : corpus_->utterances) {
    const auto tg = corpus::read_textgrid(tree_path(u).replace_extension(".TextGrid"));
    const auto words = text::split_ws(*u.transcript);
    const double duration = audio::probe_audio(tree_path(u)).duration_s();
    ASSERT_EQ(tg.words.size(), words.size()) << u.id;
    EXPECT_NEAR(tg.xmax, duration, 1e-9) << u.id;
    for (size_t i = 0; i < words.size(); ++i) {
      const auto& w = tg.words[i];
      EXPECT_EQ(w.word, words[i]) << u.id;
      EXPECT_LT(w.start_s, w.end_s) << u.id << " word " << i;
      EXPECT_GE(w.start_s, 0.0);
      EXPECT_LE(w.end_s, duration + 1e-9);
      if (i > 0) {
        EXPECT_LE(tg.words[i - 1].end_s, w.start_s) << u.id << " word " << i;
      }
    }
    const auto& ctm = ctms.at(u.subset).at(u.id);
    ASSERT_EQ(ctm.size(), words.size());
    for (size_t i = 0; i < words.size(); ++i) EXPECT_NEAR(ctm[i].start_s, tg.words[i].start_s, 0.0006);
  }
}

double rms(const std::vector<float>& x, size_t b, size_t e) {
  double sq = 0;
  for (size_t i = b; i < e; ++i) sq += static_cast<double>(x[i]) * x[i];
  return e > b ? std::sqrt(sq / static_cast<double>(e - b)) : 0.0;
}

// Word spans cover speech and the gaps between words are pauses: mean RMS inside spans is far above the mean RMS
// of inter-word gaps longer than 30 ms, over the whole corpus.
TEST_F(SynthCorpus, WordSpansHoldTheEnergyAndGapsArePauses) {
  double span_sum = 0, gap_sum = 0;
  int spans = 0, gaps = 0;
  for (const auto& u : corpus_->utterances) {
    audio::ReadOptions ro;
    ro.min_samples = 0;
    const auto a = audio::read_audio(tree_path(u), ro);
    const auto tg = corpus::read_textgrid(tree_path(u).replace_extension(".TextGrid"));
    auto at = [&](double t) { return std::min(a.samples.size(), static_cast<size_t>(std::lround(t * 16000))); };
    for (size_t i = 0; i < tg.words.size(); ++i) {
      span_sum += rms(a.samples, at(tg.words[i].start_s), at(tg.words[i].end_s));
      ++spans;
      if (i + 1 < tg.words.size() && tg.words[i + 1].start_s - tg.words[i].end_s > 0.030) {
        gap_sum += rms(a.samples, at(tg.words[i].end_s), at(tg.words[i + 1].start_s));
        ++gaps;
      }
    }
  }
  ASSERT_GE(gaps, 10) << "too few pauses between words to measure";
  const double span_mean = span_sum / spans, gap_mean = gap_sum / gaps;
  EXPECT_GT(span_mean, 3 * gap_mean) << "span " << span_mean << " gap " << gap_mean;
}

TEST_F(SynthCorpus, NamesTsvAgreesWithTranscriptsAndAlignments) {
  const auto lines = read_lines(root() / "names.tsv");
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "split\tutt_id\tspeaker_id\tname\tfirst_name\tsurname\tword_index\tnum_words\tstart_s\tend_s");
  const CorpusPlan plan = plan_corpus(*config_);
  size_t mentions = 0;
  for (const auto& ch : plan.chapters)
    for (const auto& u : ch.utterances) mentions += u.sentence.names.size();
  EXPECT_EQ(lines.size() - 1, mentions);
  std::set<std::string> pretrain_names, finetune_names;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = text::split(lines[i], '\t');
    ASSERT_EQ(f.size(), 10u) << lines[i];
    const corpus::Utterance* u = corpus_->find(f[1]);
    ASSERT_NE(u, nullptr) << f[1];
    EXPECT_EQ(u->subset, f[0]);
    const auto words = text::split_ws(*u->transcript);
    const auto k = static_cast<size_t>(text::parse_int(f[6], "word_index"));
    const auto n = static_cast<size_t>(text::parse_int(f[7], "num_words"));
    ASSERT_LE(k + n, words.size());
    EXPECT_EQ(text::join({words.begin() + k, words.begin() + k + n}, " "), f[3]) << lines[i];
    const auto tg = corpus::read_textgrid(tree_path(*u).replace_extension(".TextGrid"));
    EXPECT_NEAR(text::parse_double(f[8], "start"), tg.words[k].start_s, 1e-6);
    EXPECT_NEAR(text::parse_double(f[9], "end"), tg.words[k + n - 1].end_s, 1e-6);
    auto& set = f[0] == "pretrain" ? pretrain_names : finetune_names;
    if (f[0] == "pretrain" || f[0] == "finetune")
      for (const auto& part : {f[4], f[5]})
        if (!part.empty()) set.insert(part);
  }
  EXPECT_FALSE(pretrain_names.empty());
  for (const auto& n : finetune_names) EXPECT_FALSE(pretrain_names.count(n)) << n << " in pretrain and finetune";
}

TEST_F(SynthCorpus, CanaryManifestMarksInsertedAndHeldOut) {
  corpus::ManifestExtras extras;
  const auto c = corpus::read_manifest(root() / "canaries.tsv", &extras);
  ASSERT_EQ(c.utterances.size(), 4u);
  EXPECT_EQ(extras.columns, (std::vector<std::string>{"canary_set", "name", "name_word_index", "original"}));
  int inserted = 0;
  for (const auto& u : c.utterances) {
    const auto& v = extras.values.at(u.id);
    inserted += v[0] == "inserted";
    EXPECT_TRUE(v[0] == "inserted" || v[0] == "heldout");
    EXPECT_FALSE(v[1].empty()) << "a sentence canary mentions a name";
    const auto words = text::split_ws(*u.transcript);
    const auto k = static_cast<size_t>(text::parse_int(v[2], "index"));
    EXPECT_EQ(words.at(k), text::split_ws(v[1])[0]);
  }
  EXPECT_EQ(inserted, 2);
  EXPECT_EQ(corpus::read_manifest(root() / "canaries-inserted.tsv").utterances.size(), 2u);
  EXPECT_EQ(corpus::read_manifest(root() / "pretrain.tsv").utterances.size(), 6u);
}

TEST(SynthGenerator, SameOptionsGiveIdenticalBytesAndOtherSeedsDiffer) {
  TempDir dir;
  const auto a = dir / "a", b = dir / "b", c = dir / "c";
  SynthConfig small = tiny_config();
  small.noise = true;  // noise and silences are seeded too
  generate_corpus(a, small);
  generate_corpus(b, small);
  const auto sa = snapshot(a), sb = snapshot(b);
  EXPECT_GT(sa.size(), 50u);
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [path, bytes] : sa) {
    ASSERT_TRUE(sb.count(path)) << path;
    EXPECT_TRUE(sb.at(path) == bytes) << path << " differs between two runs";
  }
  SynthConfig other = small;
  other.seed = 8;
  generate_corpus(c, other);
  EXPECT_NE(snapshot(c).at("SPEAKERS.TXT"), sa.at("SPEAKERS.TXT"));
}

struct Interrupt {};

TEST(SynthGenerator, InterruptedRunResumesToTheSameBytes) {
  TempDir dir;
  const SynthConfig config = tiny_config(3);
  generate_corpus(dir / "whole", config);
  int reports = 0;
  EXPECT_THROW(generate_corpus(dir / "resumed", config, [&](const Progress&) {
                 if (++reports == 4) throw Interrupt{};  // after three chapters
               }),
               Interrupt);
  EXPECT_FALSE(fs::exists(dir / "resumed"));
  EXPECT_TRUE(fs::exists(dir / "resumed.partial"));
  SynthConfig other = config;
  other.sentences.max_words = 11;
  try {
    generate_corpus(dir / "resumed", other);
    FAIL() << "resumed a partial run with other options";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("max_words"), std::string::npos) << e.what();
  }
  const auto s = generate_corpus(dir / "resumed", config);
  EXPECT_EQ(s.chapters_resumed, 3u);
  EXPECT_GT(s.chapters_synthesised, 0u);
  EXPECT_FALSE(fs::exists(dir / "resumed.partial"));
  EXPECT_TRUE(snapshot(dir / "whole") == snapshot(dir / "resumed"));
}

TEST(SynthGenerator, RefusesForeignOrDifferentOutputAndSkipsAFinishedOne) {
  TempDir dir;
  SynthConfig config = tiny_config(5);
  config.canaries.count = 0;
  config.pretrain_speakers = 1;
  config.heldout_speakers = config.aux_speakers = config.finetune_speakers = 0;
  const auto out = dir / "c";
  generate_corpus(out, config);
  const auto before = snapshot(out);
  EXPECT_TRUE(generate_corpus(out, config).already_complete);
  EXPECT_TRUE(snapshot(out) == before);
  SynthConfig other = config;
  other.seed = 6;
  try {
    generate_corpus(out, other);
    FAIL() << "overwrote a corpus made with other options";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("seed"), std::string::npos) << e.what();
  }
  speechleak::testing::write_text(dir / "foreign" / "notes.txt", "mine");
  EXPECT_THROW(generate_corpus(dir / "foreign", config), Error);
  fs::create_directories(dir / "empty");
  EXPECT_FALSE(generate_corpus(dir / "empty", config).already_complete);
  EXPECT_TRUE(fs::exists(dir / "empty" / "synth.json"));
}

TEST(SynthGenerator, CanaryOnlyRunWithChosenNameAndSpeakers) {
  TempDir dir;
  SynthConfig config = tiny_config(9);
  config.pretrain_speakers = config.aux_speakers = config.heldout_speakers = config.finetune_speakers = 0;
  config.canaries.count = 5;
  config.canaries.kind = CanaryKind::RandomWords;
  config.canaries.name = "Rosalind Whitaker";
  config.canaries.speakers = {"1010", "1234"};
  config.canaries.insert_fraction = 0.4;
  generate_corpus(dir / "c", config);
  corpus::ManifestExtras extras;
  const auto c = corpus::read_manifest(dir / "c" / "canaries.tsv", &extras);
  ASSERT_EQ(c.utterances.size(), 5u);
  int inserted = 0;
  for (const auto& u : c.utterances) {
    EXPECT_TRUE(u.speaker_id == "1010" || u.speaker_id == "1234") << u.speaker_id;
    EXPECT_NE(u.transcript->find("ROSALIND WHITAKER"), std::string::npos) << *u.transcript;
    EXPECT_EQ(extras.values.at(u.id)[1], "ROSALIND WHITAKER");
    inserted += extras.values.at(u.id)[0] == "inserted";
  }
  EXPECT_EQ(inserted, 2);
  EXPECT_FALSE(fs::exists(dir / "c" / "pretrain.tsv"));
}

// The noise-masking design: every split and the canaries draw names from one small inventory; inserted canaries are
// repeated with identical audio, and the originals do not change with the number of repeats.
TEST(SynthGenerator, NameInventoryAndRepeatedCanaries) {
  TempDir dir;
  SynthConfig config = tiny_config(5);
  config.pretrain_speakers = config.aux_speakers = config.heldout_speakers = 0;
  config.finetune_speakers = 2;
  config.utts_per_speaker = 6;
  config.sentences.name_fraction = 1.0;
  config.name_inventory = 3;
  config.finetune_avoids_pretrain_names = false;
  config.canaries.count = 6;
  config.canaries.inventory_names = true;
  config.canaries.insert_fraction = 0.5;
  const auto pool = config.name_pool();
  ASSERT_EQ(pool.first_names.size(), 3u);
  EXPECT_TRUE(pool.surnames.empty());
  const std::set<std::string> inventory(pool.first_names.begin(), pool.first_names.end());

  SynthConfig repeated = config;
  repeated.canaries.repeats = 3;
  generate_corpus(dir / "once", config);
  generate_corpus(dir / "thrice", repeated);
  corpus::ManifestExtras once_extras, extras;
  const auto once = corpus::read_manifest(dir / "once" / "canaries.tsv", &once_extras);
  const auto all = corpus::read_manifest(dir / "thrice" / "canaries.tsv", &extras);
  ASSERT_EQ(once.utterances.size(), 6u);
  ASSERT_EQ(all.utterances.size(), 6u + 3u * 2u) << "3 inserted canaries, each twice more";
  for (const auto& u : all.utterances) {
    const auto& v = extras.values.at(u.id);
    EXPECT_TRUE(inventory.count(v[1])) << v[1] << " is not in the inventory";
    const auto& original = v[3];
    if (original == u.id) {
      const auto* first = once.find(u.id);
      ASSERT_NE(first, nullptr) << u.id << ": originals keep their ids whatever the repeats";
      EXPECT_EQ(*first->transcript, *u.transcript);
      continue;
    }
    EXPECT_EQ(v[0], "inserted") << "only inserted canaries are repeated";
    const auto* orig = all.find(original);
    ASSERT_NE(orig, nullptr);
    EXPECT_EQ(*orig->transcript, *u.transcript);
    const auto a = audio::read_audio(dir / "thrice" / orig->source.path), b = audio::read_audio(dir / "thrice" / u.source.path);
    EXPECT_EQ(a.samples, b.samples) << u.id << " is a repeat of " << original << ": identical audio";
  }
  EXPECT_EQ(corpus::read_manifest(dir / "thrice" / "canaries-inserted.tsv").utterances.size(), 9u);
  EXPECT_EQ(corpus::read_manifest(dir / "thrice" / "canaries-targets.tsv").utterances.size(), 3u);
  EXPECT_EQ(corpus::read_manifest(dir / "thrice" / "canaries-heldout.tsv").utterances.size(), 3u);
  size_t finetune_mentions = 0;
  for (const auto& u : corpus::read_manifest(dir / "thrice" / "finetune.tsv").utterances)
    for (const auto& word : text::split_ws(*u.transcript)) finetune_mentions += inventory.count(word);
  EXPECT_GT(finetune_mentions, 0u) << "fine-tuning data teaches the inventory's names";
}

}  // namespace
}  // namespace speechleak::synth
