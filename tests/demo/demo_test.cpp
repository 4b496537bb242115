// The demo end to end on the "test" preset (seconds): what it writes, that the numbers in its run directory agree
// with each other and with the corpus, and that a second run reuses the corpus and the model.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "speechleak/demo/demo.h"
#include "speechleak/metrics/auc.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "support/test_support.h"

namespace speechleak::demo {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using speechleak::testing::TempDir;

// One demo directory, run twice (the second run must reuse it), shared by the read-only checks of this suite:
// training is the slow part. (CTest runs each test in its own process, so the suite keeps to a few tests.)
class DemoRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    preset_ = new DemoPreset(demo_preset("test"));
    first_ = new DemoResult(run_demo(*preset_, dir_->path() / "demo", {}));
    first_summary_ = new json(json::parse(read_text_file(first_->run_dir / "summary.json")));
    second_ = new DemoResult(run_demo(*preset_, dir_->path() / "demo", {}));
  }
  static void TearDownTestSuite() {
    delete second_;
    delete first_summary_;
    delete first_;
    delete preset_;
    delete dir_;
  }
  static TempDir* dir_;
  static DemoPreset* preset_;
  static DemoResult *first_, *second_;
  static json* first_summary_;
};
TempDir* DemoRun::dir_ = nullptr;
DemoPreset* DemoRun::preset_ = nullptr;
DemoResult* DemoRun::first_ = nullptr;
DemoResult* DemoRun::second_ = nullptr;
json* DemoRun::first_summary_ = nullptr;

// A scores CSV as (member, score) columns.
struct Scores {
  std::vector<int> member;
  std::vector<double> score;
};

Scores read_scores(const fs::path& csv) {
  const auto lines = read_lines(csv);
  const auto header = text::split(lines.at(0), ',');
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name << " in " << csv;
    return static_cast<size_t>(it - header.begin());
  };
  const size_t m = column("member"), s = column("score");
  Scores out;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const auto f = text::split(lines[i], ',');
    out.member.push_back(static_cast<int>(text::parse_int(f.at(m), "member")));
    out.score.push_back(text::parse_double(f.at(s), "score"));
  }
  return out;
}

TEST_F(DemoRun, WritesCorpusModelRunAndRecord) {
  const auto& r = *first_;
  EXPECT_TRUE(fs::exists(r.corpus_dir / "synth.json"));
  EXPECT_EQ(r.corpus_dir, r.out / "corpus");
  EXPECT_EQ(r.model_dir.parent_path(), r.out / "models");
  EXPECT_EQ(r.model_dir.filename().string().size(), 16u);
  for (const char* f : {"config.json", "model.safetensors", "speechleak_pretraining.json", "members.tsv"})
    EXPECT_TRUE(fs::exists(r.model_dir / f)) << f;
  EXPECT_EQ(r.run_dir, r.out / "run");
  for (const char* f : {"summary.json", "config.json", "report.html", "scores/utterance-basic.csv",
                        "scores/utterance-improved.csv", "scores/speaker-basic.csv", "scores/speaker-improved.csv",
                        "roc/utterance-basic.csv", "features/members/store.json"})
    EXPECT_TRUE(fs::exists(r.run_dir / f)) << f;
  EXPECT_EQ(r.report, r.run_dir / "report.html");

  const auto record = json::parse(read_text_file(r.out / "demo.json"));
  EXPECT_EQ(record["preset"]["name"], "test");
  EXPECT_EQ(record["configs"]["synth"], preset_->synth.to_json());
  EXPECT_EQ(record["paths"]["model"], second_->model_dir.string());
  EXPECT_EQ(record["reused"]["model"], true);  // demo.json is the second run's
  for (const char* stage : {"corpus", "pretrain", "features", "audit", "report", "finetune", "noise_masking", "total"})
    EXPECT_TRUE(record["timings_s"].contains(stage)) << stage;
  EXPECT_EQ(record["reused"]["recogniser"], true);
  EXPECT_NE(record["audit_command"].get<std::string>().find("speechleak audit --model"), std::string::npos);
  EXPECT_FALSE(record["versions"]["libtorch"].get<std::string>().empty());
}

// Stage 5: a recogniser cached next to the model, and a noise-masking run over every (member utterance, name) pair
// of names.tsv against the non-members' pairs.
TEST_F(DemoRun, NoiseMaskingStageAttacksEveryNamedMemberUtterance) {
  const auto& r = *first_;
  EXPECT_EQ(r.asr_dir.parent_path(), r.model_dir);
  EXPECT_EQ(r.asr_dir.filename().string().rfind("asr-", 0), 0u) << r.asr_dir;
  EXPECT_EQ(second_->asr_dir, r.asr_dir);
  EXPECT_TRUE(second_->asr_reused);
  for (const char* f : {"summary.json", "config.json", "report.html", "noise-masking/outcomes.tsv"})
    EXPECT_TRUE(fs::exists(r.noise_masking_dir / f)) << f;
  std::map<std::string, std::set<std::string>> pairs;  // split -> "utt/name"
  const auto rows = read_lines(r.corpus_dir / "names.tsv");
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto f = text::split(rows[i], '\t');
    pairs[f[0]].insert(f[1] + "/" + f[3]);
  }
  const auto& sets = r.noise_masking["sets"];
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0]["set"], "target");
  EXPECT_EQ(sets[0]["counts"]["trials"].get<size_t>(), pairs["pretrain"].size());
  EXPECT_EQ(sets[1]["counts"]["trials"].get<size_t>(), pairs["heldout"].size());
  EXPECT_NE(r.noise_masking_table.find("gap target - control"), std::string::npos) << r.noise_masking_table;
}

TEST_F(DemoRun, SummaryAgreesWithScoresAndCorpus) {
  const auto& syn = preset_->synth;
  const int cal = preset_->audit.calibration_speakers;
  const std::map<std::string, std::pair<int, int>> expected = {  // level -> (members, non-members)
      {"utterance", {(syn.pretrain_speakers - cal) * syn.utts_per_speaker,
                     (syn.heldout_speakers - cal) * syn.utts_per_speaker}},
      {"speaker", {syn.pretrain_speakers - cal, syn.heldout_speakers - cal}}};
  const auto& results = (*first_summary_)["results"];
  ASSERT_EQ(results.size(), 5u);  // basic and improved at both levels, quantile at utterance level
  for (const auto& res : results) {
    const std::string level = res["level"], name = level + "-" + res["attack"].get<std::string>();
    SCOPED_TRACE(name);
    const auto& m = res["metrics"];
    const auto scores = read_scores(first_->run_dir / "scores" / (name + ".csv"));
    const auto members = std::count(scores.member.begin(), scores.member.end(), 1);
    EXPECT_EQ(m["n_members"].get<long>(), members);
    EXPECT_EQ(m["n_nonmembers"].get<long>(), static_cast<long>(scores.member.size()) - members);
    EXPECT_EQ(m["n_members"].get<int>(), expected.at(level).first);
    EXPECT_EQ(m["n_nonmembers"].get<int>(), expected.at(level).second);

    const double auc = m["auc"];
    EXPECT_GE(auc, 0.0);
    EXPECT_LE(auc, 1.0);
    EXPECT_NEAR(metrics::roc_auc(scores.score, scores.member), auc, 1e-12);
    for (const char* k : {"one_fpr", "one_tenth_fpr", "zero_fpr"}) {
      EXPECT_GE(m[k].get<double>(), 0.0) << k;
      EXPECT_LE(m[k].get<double>(), 1.0) << k;
    }
    for (const auto& [fpr, entry] : m["tpr_at_fpr"].items()) {
      EXPECT_GE(entry["tpr"].get<double>(), 0.0) << fpr;
      EXPECT_LE(entry["tpr"].get<double>(), 1.0) << fpr;
    }
  }
  // The blind baseline ran on the evaluated utterances (the demo's split is not confounded by construction, but
  // with 2 speakers per side its interval is too wide to say anything either way: only its presence is checked).
  const auto& blind = (*first_summary_)["blind_baseline"];
  ASSERT_TRUE(blind.is_object()) << first_summary_->dump();
  EXPECT_EQ(blind["n_members"].get<int>(), expected.at("utterance").first);
  const auto& counts = (*first_summary_)["counts"];
  EXPECT_EQ(counts["members"]["utterances"].get<int>() + counts["nonmembers"]["utterances"].get<int>() +
                counts["calibration"]["utterances"].get<int>(),
            (syn.pretrain_speakers + syn.heldout_speakers) * syn.utts_per_speaker);
}

TEST_F(DemoRun, SecondRunReusesCorpusAndModelWithIdenticalResults) {
  EXPECT_FALSE(first_->corpus_reused);
  EXPECT_FALSE(first_->model_reused);
  EXPECT_TRUE(second_->corpus_reused);
  EXPECT_TRUE(second_->model_reused);
  EXPECT_EQ(second_->model_dir, first_->model_dir);
  ASSERT_EQ(first_->audit.results.size(), second_->audit.results.size());
  for (size_t i = 0; i < first_->audit.results.size(); ++i) {
    EXPECT_EQ(first_->audit.results[i].metrics.auc, second_->audit.results[i].metrics.auc) << i;
    EXPECT_EQ(first_->audit.results[i].scores, second_->audit.results[i].scores) << i;
  }
  const auto summary = json::parse(read_text_file(second_->run_dir / "summary.json"));
  for (size_t i = 0; i < summary["results"].size(); ++i)
    EXPECT_EQ(summary["results"][i]["metrics"]["auc"], (*first_summary_)["results"][i]["metrics"]["auc"]) << i;
}

TEST(DemoPresets, UnknownNameIsAnInvalidArgumentListingTheNames) {
  try {
    demo_preset("huge");
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--preset"), std::string::npos) << what;
    for (const auto& name : demo_preset_names()) EXPECT_NE(what.find(name), std::string::npos) << what;
  }
}

TEST(DemoPresets, EveryPresetIsValidWithEnoughAuxiliaryData) {
  const std::vector<std::string> names{"quick", "full", "test"};
  EXPECT_EQ(demo_preset_names(), names);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const auto p = demo_preset(name);
    EXPECT_EQ(p.name, name);
    EXPECT_NO_THROW(validate_preset(p));
    EXPECT_LE(4 * p.audit.improved_utterance.k, p.synth.aux_speakers * p.synth.utts_per_speaker);
    EXPECT_EQ(p.audit.improved_utterance.train.seed, p.audit.seed);  // what `speechleak audit --seed` sets
    EXPECT_EQ(p.audit.improved_speaker.train.seed, p.audit.seed + 1);
  }
  auto bad = demo_preset("test");
  bad.audit.improved_utterance.k = 100;
  EXPECT_THROW(validate_preset(bad), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::demo
