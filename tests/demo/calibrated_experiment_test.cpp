// `speechleak experiment calibrated` and `experiment canaries` on the demo's "test" preset (seconds per model):
// every attack and every cell runs, the outputs are complete and consistent, and a second run reuses the models.
// The numbers of 3-epoch models mean nothing; the studies' findings are in docs/results.md.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "speechleak/demo/calibrated_experiment.h"
#include "speechleak/demo/canary_experiment.h"
#include "speechleak/demo/demo_presets.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::demo {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using speechleak::testing::TempDir;

TEST(CalibratedExperiment, ScoresEveryAttackAgainstReferencesOfTheDemoRecipe) {
  TempDir dir;
  DemoOptions o;
  o.threads = 1;
  const auto r = run_calibrated_study(demo_preset("test"), dir / "study", o, {2, 1});
  std::set<std::string> rows;
  for (const auto& a : r.audit.results) rows.insert(a.level + "/" + a.attack);
  for (const char* row : {"utterance/basic", "utterance/quantile", "utterance/loss", "utterance/lira",
                          "utterance/rmia-offline", "speaker/lira", "speaker/lira-mean", "speaker/rmia"})
    EXPECT_TRUE(rows.count(row)) << row;
  // The same attacks on the model-agnostic basic score, against the same references.
  ASSERT_FALSE(r.basic_signal.results.empty());
  for (const auto& a : r.basic_signal.results) EXPECT_EQ(a.details.at("signal"), "basic") << a.attack;
  EXPECT_GT(r.reference_train_s, 0);
  const auto record = json::parse(read_text_file(r.record));
  EXPECT_EQ(record.at("reference_runs"), 2);
  EXPECT_EQ(record.at("results").size(), r.audit.results.size());
  const auto md = read_text_file(r.table);
  EXPECT_NE(md.find("| utterance | lira (pretext signal) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| speaker | lira-mean (basic signal) |"), std::string::npos) << md;
  // The references trained with the target's recipe: same architecture and epochs, their own seeds.
  const auto target = json::parse(read_text_file(r.target.model_dir / "pretrain_config.json"));
  const auto ref = json::parse(read_text_file(r.references / "runs" / "000" / "pretrain_config.json"));
  EXPECT_EQ(ref.at("model"), target.at("model"));
  EXPECT_EQ(ref.at("training").at("epochs"), target.at("training").at("epochs"));
  EXPECT_NE(ref.at("training").at("seed"), target.at("training").at("seed"));
}

TEST(CanaryExperiment, AuditsUtteranceAndSpeakerCanariesWithAndWithoutTheDefense) {
  TempDir dir;
  DemoOptions o;
  o.threads = 1;
  CanaryStudyOptions c;
  c.utterance_canaries = 8;
  c.utterance_voices = 2;
  c.speaker_canaries = 4;
  c.utts_per_speaker = 2;
  const auto r = run_canary_study(demo_preset("test"), dir / "study", o, c);
  ASSERT_EQ(r.cells.size(), 4u);  // {utterance, speaker} x {none, noise-augment}
  std::set<std::string> models;
  for (const auto& cell : r.cells) {
    SCOPED_TRACE(cell.unit + "/" + cell.defense);
    models.insert(cell.model.string());
    EXPECT_EQ(cell.result.counts.canaries, size_t(cell.unit == "utterance" ? 8 : 4));
    EXPECT_EQ(cell.result.signal, "pretext");
    EXPECT_TRUE(fs::exists(cell.audit_dir / "canary_audit.json"));
    // The defended model trained on noised audio: its pretraining record says so.
    const auto meta = json::parse(read_text_file(cell.model / "speechleak_pretraining.json"));
    EXPECT_EQ(meta.at("defenses").at("noise_augment").at("on").get<bool>(), !cell.defense.empty());
  }
  EXPECT_EQ(models.size(), 4u);
  EXPECT_EQ(json::parse(read_text_file(r.record)).at("cells").size(), 4u);

  CanaryStudyOptions bad = c;
  bad.defenses = {"sanitize-names"};
  EXPECT_THROW(run_canary_study(demo_preset("test"), dir / "bad", o, bad), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::demo

#include "speechleak/demo/confounded_experiment.h"

namespace speechleak::demo {
namespace {

TEST(ConfoundedExperiment, TheBlindBaselineSeesTheNoisyPoolThatTheCleanSplitLacks) {
  TempDir dir;
  DemoOptions o;
  o.threads = 1;
  const auto r = run_confounded_study(demo_preset("test"), dir / "study", o, {0, 3});
  ASSERT_TRUE(r.clean.audit.blind_baseline.has_value());
  for (const auto* split : {&r.paper, &r.null_model}) {
    ASSERT_TRUE(split->blind_baseline.has_value());
    EXPECT_GT(split->blind_baseline->auc, r.clean.audit.blind_baseline->auc);
    EXPECT_EQ(split->results.size(), r.clean.audit.results.size());
    // Non-members and aux are one pool (the seed authors' setup): the audit warns about the overlap.
    bool warned = false;
    for (const auto& w : split->warnings) warned |= w.find("auxiliary set shares") != std::string::npos;
    EXPECT_TRUE(warned);
  }
  // Half of the pool's speakers are noisy, half clean.
  const auto pool = read_text_file(r.pool);
  EXPECT_NE(pool.find(r.noisy_corpus.string()), std::string::npos);
  EXPECT_NE(pool.find(r.clean.corpus_dir.string() + "/aux"), std::string::npos);
  const auto md = read_text_file(r.table);
  EXPECT_NE(md.find("| | blind baseline (no model) |"), std::string::npos) << md;
  EXPECT_NE(read_text_file(r.noisy_corpus / "synth.json").find("\"noise\": true"), std::string::npos);
}

}  // namespace
}  // namespace speechleak::demo
