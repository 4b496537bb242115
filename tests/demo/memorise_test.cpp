// The demo pipeline on a model trained to memorise: the basic attacks must beat chance, in the directions measured
// on every memorising preset (docs/results.md). And the variants of the defense studies land in their own places.
#include <gtest/gtest.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "speechleak/demo/demo.h"
#include "speechleak/demo/experiments.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::demo {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using speechleak::testing::TempDir;

const audit::AttackResult& find(const audit::AuditResult& r, const std::string& level, const std::string& attack) {
  for (const auto& a : r.results)
    if (a.level == level && a.attack == attack) return a;
  throw std::runtime_error("no " + level + "/" + attack + " result");
}

// The test preset's corpus widened to 8 member and 8 non-member speakers (3 utterances each), trained long enough
// to memorise its speakers: 100 epochs of 3 steps. The basic attacks only, the direction of each level calibrated on
// 2 held-out speakers per side (nothing fixed from past runs), so 6 + 6 speakers (18 + 18 utterances) are
// evaluated. Under no signal, a 6 v 6 AUC >= 0.9 has probability 7/924 = 0.76% (at most 3 of the 36 pairs
// inverted), whichever direction calibration picks, so the test passes by chance with probability < 1% whatever
// the utterance level does. Utterance scores cluster by speaker, which makes a utterance-level bound alone weak
// (0.775 measured here, 0.96 on the quick preset's 4 utterances and 20 clusters per speaker): it is held to 0.7.
DemoPreset memorising_preset() {
  auto p = demo_preset("test");
  p.name = "test-memorise";
  p.synth.pretrain_speakers = 8;
  p.synth.heldout_speakers = 8;
  p.pretrain.epochs = 100;
  p.pretrain.checkpoint_every = 1000;
  p.audit.attacks = {"basic"};
  p.audit.calibrate_direction = true;
  p.audit.calibration_speakers = 2;
  return p;
}

TEST(DemoMemorise, BasicAttacksBeatChanceOnAMemorisingModel) {
  TempDir dir;
  const auto r = run_demo(memorising_preset(), dir.path() / "d", {});
  const auto& s = find(r.audit, "speaker", "basic");
  const auto& u = find(r.audit, "utterance", "basic");
  EXPECT_EQ(s.metrics.n_members, 6u);
  EXPECT_EQ(s.metrics.n_nonmembers, 6u);
  EXPECT_EQ(u.metrics.n_members, 18u);
  EXPECT_EQ(u.metrics.n_nonmembers, 18u);
  std::printf("memorising test model: speaker basic AUC %.3f (%s), utterance basic AUC %.3f (%s)\n", s.metrics.auc,
              to_string(s.direction).c_str(), u.metrics.auc, to_string(u.direction).c_str());
  EXPECT_GE(s.metrics.auc, 0.9) << "speaker-level basic AUC on a model trained 100 epochs on its speakers";
  EXPECT_GE(u.metrics.auc, 0.7) << "utterance-level basic AUC";
  EXPECT_NE(s.direction_source.find("calibrated on"), std::string::npos) << s.direction_source;
  EXPECT_NE(u.direction_source.find("calibrated on"), std::string::npos) << u.direction_source;
}

TEST(DemoVariants, DefensesTrainTheirOwnModelAndReversedAttacksTheirOwnRun) {
  TempDir dir;
  auto preset = demo_preset("test");
  preset.pretrain.epochs = 1;
  const auto plain = run_demo(preset, dir.path() / "d", {});
  DemoVariant v;
  v.defenses = {"reverse-audio"};
  v.attack_reverse_audio = true;
  EXPECT_EQ(v.tag(), "reverse-audio+attack-reversed");
  const auto reversed = run_demo(preset, dir.path() / "d", {}, v);
  EXPECT_NE(reversed.model_dir, plain.model_dir);
  EXPECT_TRUE(reversed.corpus_reused);
  EXPECT_EQ(reversed.run_dir, plain.out / "run-reverse-audio+attack-reversed");
  const auto pretrain = json::parse(read_text_file(reversed.model_dir / "pretrain_config.json"));
  EXPECT_TRUE(pretrain.at("defenses").at("reverse_audio").get<bool>());
  const auto run = json::parse(read_text_file(reversed.run_dir / "config.json"));
  EXPECT_TRUE(run.at("reverse_audio").get<bool>());
  EXPECT_TRUE(fs::exists(reversed.run_dir / "features" / "members-reversed"));
  EXPECT_TRUE(fs::exists(plain.out / "demo.json"));
  EXPECT_EQ(reversed.record, plain.out / "demo-reverse-audio+attack-reversed.json");
  EXPECT_TRUE(fs::exists(reversed.record));
  EXPECT_EQ(plain.record, plain.out / "demo.json");
  DemoVariant bad;
  bad.defenses = {"dp-sgd"};
  EXPECT_THROW(run_demo(preset, dir.path() / "d", {}, bad), InvalidArgument);
}

// The families study: the same recipe pretrained with each objective, each its own model and run, one table.
TEST(DemoVariants, TheFamiliesStudyTrainsOneModelPerObjectiveAndComparesThem) {
  TempDir dir;
  auto preset = demo_preset("test");
  preset.pretrain.epochs = 1;
  const auto study = run_families_study(preset, dir.path() / "d", {});
  ASSERT_EQ(study.cells.size(), 3u);
  const auto& hubert = study.cells[0].result;
  const auto& w2v = study.cells[1].result;
  EXPECT_EQ(study.cells[1].label, "wav2vec2");
  EXPECT_EQ(w2v.variant.tag(), "wav2vec2");
  EXPECT_NE(w2v.model_dir, hubert.model_dir);
  EXPECT_TRUE(w2v.corpus_reused);
  EXPECT_EQ(w2v.run_dir, hubert.out / "run-wav2vec2");
  const auto pretrain = json::parse(read_text_file(w2v.model_dir / "pretrain_config.json"));
  EXPECT_EQ(pretrain.at("objective").at("name"), "wav2vec2");
  EXPECT_EQ(pretrain.at("arch"), json::parse(read_text_file(hubert.model_dir / "pretrain_config.json")).at("arch"));
  EXPECT_EQ(json::parse(read_text_file(w2v.model_dir / "config.json")).at("model_type"), "wav2vec2");
  EXPECT_EQ(json::parse(read_text_file(w2v.record)).at("variant").at("objective"), "wav2vec2");
  ASSERT_EQ(w2v.audit.results.size(), hubert.audit.results.size());
  EXPECT_FALSE(w2v.audit.results.empty());
  const auto table = read_text_file(hubert.out / "families.md");
  EXPECT_NE(table.find("| hubert | wav2vec2 | tera |"), std::string::npos) << table;
  const auto& tera = study.cells[2].result;
  EXPECT_EQ(json::parse(read_text_file(tera.model_dir / "config.json")).at("model_type"), "tera");
  EXPECT_EQ(tera.audit.results.size(), hubert.audit.results.size());
  EXPECT_TRUE(fs::exists(hubert.out / "families.json"));
  EXPECT_TRUE(fs::exists(study.report));
  DemoVariant bad;
  bad.objective = "cpc";
  EXPECT_THROW(run_demo(preset, dir.path() / "d", {}, bad), InvalidArgument);
}

// The data-size ablation: extra speakers join the pretraining data at the same step budget, and the audit's members
// stay the pretrain split's utterances. The model-size ablation: another architecture, its own model.
TEST(DemoVariants, ExtraSpeakersJoinThePretrainingDataButNotTheMembers) {
  TempDir dir;
  auto preset = demo_preset("test");
  preset.pretrain.epochs = 3;
  preset.synth.extra_speakers = 2;
  preset.audit.levels = {"utterance"};
  preset.audit.direction = ScoreDirection::High;  // no calibration split: every member is evaluated
  preset.audit.calibrate_direction = false;
  DemoVariant v;
  v.extra_speakers = 2;
  EXPECT_EQ(v.tag(), "extra-2");
  const auto r = run_demo(preset, dir.path() / "d", {}, v);
  const auto pretrain = json::parse(read_text_file(r.model_dir / "pretrain_config.json"));
  EXPECT_EQ(pretrain.at("training").at("epochs"), 2) << "3 epochs of 12 utterances ~ 2 epochs of 18";
  EXPECT_EQ(read_lines(r.model_dir / "members.tsv").size() - 1, 18u);  // 4 + 2 speakers x 3 utterances
  for (const auto& a : r.audit.results) EXPECT_EQ(a.metrics.n_members, 12u) << a.level << " " << a.attack;
  EXPECT_EQ(json::parse(read_text_file(r.record)).at("variant").at("extra_speakers"), 2);
  DemoVariant too_many;
  too_many.extra_speakers = 3;
  EXPECT_THROW(run_demo(preset, dir.path() / "d", {}, too_many), InvalidArgument);

  DemoVariant small;
  small.arch = "small";
  EXPECT_EQ(small.tag(), "arch-small");
  train::PretrainConfig config = preset.pretrain;
  apply_variant(small, config);
  EXPECT_EQ(config.arch, "small");
  EXPECT_EQ(config.model.hidden_size, 192);
  EXPECT_EQ(config.model.model_type, "hubert");
  small.arch = "huge";
  EXPECT_THROW(small.validate(), InvalidArgument);
}

// Sanitising drops utterances from training: the audit's members must be exactly the ones the model trained on.
TEST(DemoVariants, SanitisedModelsAreAuditedOnTheUtterancesTheyTrainedOn) {
  TempDir dir;
  auto preset = demo_preset("test");
  preset.pretrain.epochs = 1;
  preset.audit.levels = {"utterance"};
  preset.audit.direction = ScoreDirection::High;  // no calibration split: every member is evaluated
  preset.audit.calibrate_direction = false;
  DemoVariant v;
  v.defenses = {"sanitize-names"};
  const auto r = run_demo(preset, dir.path() / "d", {}, v);
  const auto meta = json::parse(read_text_file(r.model_dir / "speechleak_pretraining.json"));
  const auto dropped = meta.at("defenses").at("sanitize_names").at("utterances_dropped").get<size_t>();
  ASSERT_GT(dropped, 0u) << "the test corpus has no pretrain utterance with a name: the test checks nothing";
  const size_t trained = read_lines(r.model_dir / "members.tsv").size() - 1;
  EXPECT_EQ(trained + dropped, 12u);  // 4 speakers x 3 utterances
  ASSERT_TRUE(fs::exists(r.run_dir / "members-trained.tsv"));
  for (const auto& a : r.audit.results) EXPECT_EQ(a.metrics.n_members, trained) << a.level << " " << a.attack;
}

}  // namespace
}  // namespace speechleak::demo
