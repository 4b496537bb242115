#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include "speechleak/audit/audit.h"
#include "speechleak/audit/run_directory.h"
#include "speechleak/features/extract.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/random.h"
#include "support/test_support.h"

namespace speechleak::audit {
namespace {
namespace fs = std::filesystem;
using speechleak::testing::TempDir;

constexpr int kWidth = 12, kLayer = 4;

// Utterance frames: noise plus z times a speaker-independent direction. Higher z = frames that agree = LOWER
// cosine distance (opposite to the paper's utterance rule) and more similar utterance means (the paper's speaker
// rule): the two levels point different ways, as measured on small self-pretrained models.
at::Tensor frames(double z, const at::Tensor& dir, int64_t t) { return at::randn({t, kWidth}) + 2.0 * z * dir; }

struct StoreSpec {
  std::string prefix;
  int speakers, utts;
  double z_lo, z_hi;
  int width = kWidth;
  bool nan = false;
  bool first_without_speaker = false;  // the first record's meta lacks speaker_id (a store from another tool)
};

void write_store(const fs::path& dir, const StoreSpec& s, const at::Tensor& direction, int seed) {
  at::manual_seed(seed);
  features::StoreManifest m;
  m.model_fingerprint = "fp";
  m.layers = {kLayer};
  m.frames = true;
  features::StoreWriter w(dir, m, "0-of-1");
  features::ExtractConfig cfg;
  cfg.frames = true;
  for (int spk = 0; spk < s.speakers; ++spk) {
    const double z = s.z_lo + (s.z_hi - s.z_lo) * at::rand({1}).item<double>();
    for (int u = 0; u < s.utts; ++u) {
      auto f = s.width == kWidth ? frames(z, direction, 20 + (u * 7) % 15) : at::randn({20, s.width});
      std::vector<at::Tensor> keep;
      std::map<std::string, features::ArrayData> arrays;
      features::add_state_arrays(kLayer, f, cfg, keep, arrays);
      if (s.nan && spk == 0 && u == 0) keep[0][0] = keep[1][0] = std::nan("");  // a store from another tool
      const std::string spk_id = s.prefix + std::to_string(spk);
      std::map<std::string, std::string> meta{{"speaker_id", spk_id}, {"subset", s.prefix},
                                              {"frames", std::to_string(f.size(0))}};
      if (s.first_without_speaker && spk == 0 && u == 0) meta.erase("speaker_id");
      w.append(spk_id + "-" + std::to_string(u), arrays, meta);
    }
  }
}

// Audio-descriptor stand-ins for the quantile attack: the utterance's frame count (as write_store makes it) and noise.
void add_descriptors(DescriptorMap& d, const StoreSpec& s, uint64_t seed) {
  Rng rng(seed);
  for (int spk = 0; spk < s.speakers; ++spk)
    for (int u = 0; u < s.utts; ++u)
      d[s.prefix + std::to_string(spk) + "-" + std::to_string(u)] = {double(20 + (u * 7) % 15), standard_normal(rng)};
}

struct Fixture {
  TempDir dir;
  DescriptorMap descriptors;
  AuditInputs in{dir / "members", dir / "nonmembers", dir / "aux", &descriptors, {}};
  Fixture(StoreSpec members = {"m", 8, 6, 0.7, 1.0}, StoreSpec nonmembers = {"n", 8, 6, 0.0, 0.3},
          StoreSpec aux = {"a", 24, 6, 0.0, 1.0}) {
    at::manual_seed(0);
    auto direction = at::randn({kWidth});
    direction /= direction.norm();
    write_store(in.members, members, direction, 1);
    write_store(in.nonmembers, nonmembers, direction, 2);
    write_store(in.aux, aux, direction, 3);
    add_descriptors(descriptors, members, 1);
    add_descriptors(descriptors, nonmembers, 2);
    add_descriptors(descriptors, aux, 3);
  }
};

AuditConfig fast_config() {
  AuditConfig c;
  c.metrics.bootstrap_replicates = 50;
  c.improved_utterance.k = 20;
  c.improved_utterance.train.learning_rate = 3e-3;
  c.improved_utterance.train.max_epochs = 15;
  c.improved_speaker.k = 4;
  c.improved_speaker.train.learning_rate = 3e-3;
  c.improved_speaker.train.max_epochs = 15;
  return c;
}

const AttackResult& find(const AuditResult& r, const std::string& level, const std::string& attack) {
  for (const auto& x : r.results)
    if (x.level == level && x.attack == attack) return x;
  throw std::runtime_error("no result " + level + "/" + attack);
}

TEST(Audit, PaperDirectionIsReportedAsIsAndCalibrationFindsTheOtherWay) {
  Fixture f;
  auto config = fast_config();
  config.attacks = {"basic"};
  auto paper = run_audit(f.in, config);
  EXPECT_EQ(find(paper, "utterance", "basic").direction, ScoreDirection::High);
  EXPECT_LT(find(paper, "utterance", "basic").metrics.auc, 0.3);
  EXPECT_GT(find(paper, "speaker", "basic").metrics.auc, 0.7);
  EXPECT_EQ(find(paper, "speaker", "basic").metrics.n_members, 8u);

  config.calibrate_direction = true;
  auto cal = run_audit(f.in, config);
  const auto& u = find(cal, "utterance", "basic");
  EXPECT_EQ(u.direction, ScoreDirection::Low);
  EXPECT_NE(u.direction_source.find("calibrated on"), std::string::npos);
  EXPECT_GT(u.metrics.auc, 0.7);
  EXPECT_NEAR(u.metrics.auc, 1.0 - find(paper, "utterance", "basic").metrics.auc, 0.1);
  EXPECT_EQ(find(cal, "speaker", "basic").direction, ScoreDirection::High);
  // The calibration speakers (2 per side) are held out of the evaluation.
  EXPECT_EQ(find(cal, "speaker", "basic").metrics.n_members, 6u);
  EXPECT_EQ(find(cal, "speaker", "basic").metrics.n_nonmembers, 6u);
  EXPECT_EQ(u.metrics.n_members, 6u * 6u);
}

TEST(Audit, ImprovedAttacksBeatChanceAndTheRunDirectoryAgreesWithTheResult) {
  Fixture f;
  auto config = fast_config();
  config.calibrate_direction = true;
  auto r = run_audit(f.in, config);
  ASSERT_EQ(r.results.size(), 5u);
  EXPECT_GT(find(r, "utterance", "improved").metrics.auc, 0.7);
  // The quantile attack scores the basic attack's utterances, calibrated on the aux set (its own tests are in
  // difficulty_calibration_test.cpp); it keeps the basic attack's orientation.
  const auto& q = find(r, "utterance", "quantile");
  EXPECT_EQ(q.metrics.n_members, find(r, "utterance", "basic").metrics.n_members);
  EXPECT_GT(q.metrics.auc, 0.7);
  EXPECT_NE(q.direction_source.find("auxiliary utterances"), std::string::npos) << q.direction_source;
  EXPECT_GT(find(r, "speaker", "improved").metrics.auc, 0.7);
  EXPECT_TRUE(r.warnings.empty());

  RunInfo info{"test-run", "/model", "desc", {{"command", "test"}}};
  write_run_directory(f.dir / "run", r, info);
  auto summary = nlohmann::json::parse(read_text_file(f.dir / "run/summary.json"));
  ASSERT_EQ(summary["results"].size(), 5u);
  for (const auto& res : summary["results"]) {
    const std::string name = res["level"].get<std::string>() + "-" + res["attack"].get<std::string>();
    auto rows = read_lines(f.dir / "run/scores" / (name + ".csv"));
    const auto n = res["metrics"]["n_members"].get<size_t>() + res["metrics"]["n_nonmembers"].get<size_t>();
    EXPECT_EQ(rows.size(), n + 1) << name;
    EXPECT_NEAR(res["metrics"]["auc"].get<double>(), find(r, res["level"], res["attack"]).metrics.auc, 1e-12);
    EXPECT_TRUE(fs::exists(f.dir / "run/roc" / (name + ".csv")));
  }
  EXPECT_EQ(read_lines(f.dir / "run/scores/speaker-basic.csv")[0], "speaker_id,n_utts,member,score,raw_score");
}

TEST(Audit, OverlappingAuxiliaryAndNonMembersIsReported) {
  // The aux store reuses the non-members' speaker ids: the seed authors' flaw.
  Fixture f({"m", 6, 4, 0.7, 1.0}, {"n", 6, 4, 0.0, 0.3}, {"n", 16, 4, 0.0, 1.0});
  auto config = fast_config();
  config.improved_utterance.k = 10;
  auto r = run_audit(f.in, config);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("shares 6 speakers with the evaluation nonmembers"), std::string::npos) << r.warnings[0];
}

TEST(Audit, AnUtteranceIdAmongMembersAndNonMembersIsRefused) {
  Fixture f({"m", 6, 4, 0.7, 1.0}, {"m", 6, 4, 0.0, 0.3});  // the same ids on both sides
  EXPECT_THROW(run_audit(f.in, fast_config()), InvalidArgument);
}

// A record without a speaker_id is scored at utterance level but belongs to no speaker: skipped and counted there,
// never merged into a speaker called "".
TEST(Audit, RecordsWithoutASpeakerAreSkippedAtSpeakerLevel) {
  Fixture f({"m", 6, 4, 0.7, 1.0, kWidth, false, true});
  auto config = fast_config();
  config.attacks = {"basic"};
  auto r = run_audit(f.in, config);
  const auto& spk = find(r, "speaker", "basic");
  EXPECT_EQ(spk.metrics.n_members, 6u);
  ASSERT_EQ(spk.skipped.size(), 1u);
  EXPECT_EQ(spk.skipped.items[0].id, "m0-0");
  EXPECT_NE(spk.skipped.items[0].reason.find("no speaker_id"), std::string::npos) << spk.skipped.items[0].reason;
  for (const auto& item : spk.items) EXPECT_FALSE(item.speaker_id.empty());
  EXPECT_EQ(find(r, "utterance", "basic").metrics.n_members, 24u);  // still an utterance
  EXPECT_EQ(r.counts["members"]["speakers"], 6);
}

TEST(Audit, BadInputsGiveClearErrors) {
  auto config = fast_config();
  {
    Fixture f;
    config.improved_utterance.k = 40;  // 4k = 160 > 144 auxiliary utterances
    EXPECT_THROW(run_audit(f.in, config), InvalidArgument);
    config = fast_config();
    config.layer = 7;  // not in the stores
    EXPECT_THROW(run_audit(f.in, config), InvalidArgument);
  }
  config = fast_config();
  {
    Fixture single_utt_aux({"m", 6, 4, 0.7, 1.0}, {"n", 6, 4, 0.0, 0.3}, {"a", 20, 1, 0.0, 1.0});
    config.levels = {"speaker"};
    EXPECT_THROW(run_audit(single_utt_aux.in, config), InvalidArgument);  // no aux speaker with 2 utterances
  }
  config = fast_config();
  {
    Fixture wide({"m", 6, 4, 0.7, 1.0}, {"n", 6, 4, 0.0, 0.3, kWidth + 3}, {"a", 20, 4, 0.0, 1.0});
    config.attacks = {"basic"};  // even the summaries-only attacks must not compare features of two widths
    try {
      run_audit(wide.in, config);
      FAIL() << "stores of different widths accepted";
    } catch (const InvalidArgument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("feature width"), std::string::npos) << m;
      EXPECT_NE(m.find(std::to_string(kWidth + 3)), std::string::npos) << m;
    }
    config = fast_config();
  }
  {
    Fixture nan({"m", 6, 4, 0.7, 1.0, kWidth, true});
    config.attacks = {"basic"};
    try {
      run_audit(nan.in, config);
      FAIL() << "NaN features accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("m0-0"), std::string::npos) << e.what();
    }
  }
  {
    TempDir empty;
    features::StoreManifest m;
    m.layers = {kLayer};
    m.frames = true;
    m.model_fingerprint = "fp";
    { features::StoreWriter w(empty / "members", m, "0-of-1"); }
    Fixture f;
    AuditInputs in{empty / "members", f.in.nonmembers, f.in.aux, nullptr, {}};
    EXPECT_THROW(run_audit(in, config), FormatError);  // no members
  }
}

}  // namespace
}  // namespace speechleak::audit
