// The reference-calibrated attacks inside an audit, on planted stores: every utterance has a difficulty shared by all
// models that swamps a small membership effect, so the raw signal barely separates members while LiRA and RMIA,
// which compare each utterance with the reference models' IN and OUT signals, do; a keep matrix of another draw
// leaves them at chance; and the inputs they cannot use are refused or skipped with their reason.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <set>

#include "speechleak/audit/audit.h"
#include "speechleak/features/extract.h"
#include "speechleak/metrics/auc.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"
#include "support/test_support.h"

namespace speechleak::audit {
namespace {
namespace fs = std::filesystem;
using speechleak::testing::TempDir;

constexpr int kLayer = 2, kSpeakers = 8, kUtts = 5;

std::string utt_id(const std::string& prefix, int spk, int u) {
  return prefix + std::to_string(spk) + "-" + std::to_string(u);
}

// The planted world: difficulty per utterance (shared by every model), membership per speaker.
struct World {
  std::map<std::string, double> difficulty;
  double effect = 0.25, noise = 0.05;
  World() {
    Rng rng(11);
    for (const char* p : {"m", "n", "a"})
      for (int s = 0; s < kSpeakers; ++s)
        for (int u = 0; u < kUtts; ++u) difficulty[utt_id(p, s, u)] = standard_normal(rng);
  }
  // A model's pretext log-probability of an utterance it trained on (or not).
  double logp(const std::string& id, bool trained, Rng& rng) const {
    return -2.0 + 0.8 * difficulty.at(id) + (trained ? effect : 0.0) + noise * standard_normal(rng);
  }
};

// A store of one role whose utterances carry a pretext signal; `trained(speaker)` says whether the model trained on
// that speaker. Frames are noise (the basic attack has nothing to find).
void write_store(const fs::path& dir, const std::string& prefix, const World& w,
                 const std::function<bool(const std::string&)>& trained, uint64_t seed) {
  features::StoreManifest m;
  m.model_fingerprint = "fp";
  m.layers = {kLayer};
  m.signals = "pretext: planted";
  features::StoreWriter writer(dir, m, "0-of-1");
  features::ExtractConfig cfg;
  Rng rng(seed);
  at::manual_seed(int64_t(seed));
  for (int s = 0; s < kSpeakers; ++s) {
    const std::string spk = prefix + std::to_string(s);
    for (int u = 0; u < kUtts; ++u) {
      std::vector<at::Tensor> keep;
      std::map<std::string, features::ArrayData> arrays;
      features::add_state_arrays(kLayer, at::randn({12, 6}), cfg, keep, arrays);
      keep.push_back(at::full({1}, w.logp(utt_id(prefix, s, u), trained(spk), rng), at::kDouble));
      arrays["pretext/masked_logp"] = {features::DType::F64, {1},
                                       {static_cast<const unsigned char*>(keep.back().data_ptr()), 8}};
      writer.append(utt_id(prefix, s, u), arrays, {{"speaker_id", spk}, {"frames", "12"}});
    }
  }
}

struct Fixture {
  TempDir dir;
  World world;
  AuditInputs in{dir / "t-members", dir / "t-nonmembers", dir / "t-aux", nullptr, {}};
  // `runs` references, each trained on a seeded half of the m and n speakers; keep_seed draws the keep recorded
  // for the audit (the same as the truth unless a test shuffles it).
  Fixture(int runs, uint64_t keep_seed = 5) {
    auto member = [](const std::string& spk) { return spk[0] == 'm'; };
    write_store(in.members, "m", world, member, 1);
    write_store(in.nonmembers, "n", world, member, 2);
    write_store(in.aux, "a", world, member, 3);
    for (int r = 0; r < runs; ++r) {
      const auto truth = half_of_speakers(r, 5), recorded = half_of_speakers(r, keep_seed);
      auto trained = [&](const std::string& spk) { return truth.count(spk) > 0; };
      ReferenceInputs ref;
      ref.name = std::to_string(r);
      ref.members = dir / ("r" + ref.name + "-members");
      ref.nonmembers = dir / ("r" + ref.name + "-nonmembers");
      ref.aux = dir / ("r" + ref.name + "-aux");
      write_store(ref.members, "m", world, trained, 100 + r);
      write_store(ref.nonmembers, "n", world, trained, 200 + r);
      write_store(ref.aux, "a", world, trained, 300 + r);
      ref.speaker_keep = true;
      ref.trained_speakers = recorded;
      for (const auto& spk : recorded)
        for (int u = 0; u < kUtts; ++u) ref.trained_utterances.insert(spk + "-" + std::to_string(u));
      in.references.push_back(std::move(ref));
    }
  }
  // Speakers of reference r: for each speaker, IN for run r when the speaker's seeded coin says so (a balanced
  // draw is not needed here: with 8 runs every speaker has IN and OUT runs with high probability).
  static std::set<std::string> half_of_speakers(int r, uint64_t seed) {
    std::set<std::string> out;
    for (const char* p : {"m", "n"})
      for (int s = 0; s < kSpeakers; ++s) {
        const std::string spk = p + std::to_string(s);
        const auto order = seeded_permutation(8, derive_seed(seed, spk));
        for (int i = 0; i < 4; ++i)
          if (int(order[i]) == r) out.insert(spk);
      }
    return out;
  }
};

AuditConfig config(std::vector<std::string> attacks) {
  AuditConfig c;
  c.attacks = std::move(attacks);
  c.metrics.bootstrap_replicates = 0;
  c.calibrated.signal = "pretext";
  c.blind_baseline = false;
  return c;
}

const AttackResult& find(const AuditResult& r, const std::string& level, const std::string& attack) {
  for (const auto& x : r.results)
    if (x.level == level && x.attack == attack) return x;
  throw std::runtime_error("no result " + level + "/" + attack);
}

// The raw pretext signal's AUC on the evaluated utterances (no calibration): what the planted difficulty leaves.
double raw_auc(const Fixture& f) {
  std::vector<double> s;
  std::vector<int> y;
  for (const auto& [path, member] : {std::pair{f.in.members, 1}, std::pair{f.in.nonmembers, 0}}) {
    const auto set = load_feature_set(path, "x", member, -1, false);
    for (const auto& u : set.utterances) s.push_back(u.signals.at("pretext/masked_logp")), y.push_back(member);
  }
  return metrics::mann_whitney_auc(s, y);
}

TEST(CalibratedAttacks, CalibrationAgainstReferencesRecoversWhatDifficultyHides) {
  Fixture f(8);
  const double raw = raw_auc(f);
  EXPECT_LT(raw, 0.7);
  const auto r = run_audit(f.in, config({"loss", "lira", "lira-offline", "rmia", "rmia-offline", "lira-mean"}));
  for (const char* a : {"lira", "lira-offline", "rmia", "rmia-offline"}) {
    SCOPED_TRACE(a);
    const auto& u = find(r, "utterance", a);
    EXPECT_EQ(u.metrics.n_members + u.metrics.n_nonmembers, size_t(2 * kSpeakers * kUtts));
    EXPECT_GT(u.metrics.auc, raw + 0.15);
    EXPECT_EQ(u.details.at("signal"), "pretext");
    EXPECT_EQ(u.direction, ScoreDirection::High);
  }
  EXPECT_GT(find(r, "utterance", "lira").metrics.auc, 0.9);
  // loss is the raw signal itself: what the planted difficulty leaves, without references.
  EXPECT_NEAR(find(r, "utterance", "loss").metrics.auc, raw, 1e-9);
  EXPECT_GT(find(r, "speaker", "lira").metrics.auc, 0.9);
  EXPECT_GT(find(r, "speaker", "lira-mean").metrics.auc, 0.9);
  EXPECT_EQ(find(r, "speaker", "lira").metrics.n_members, size_t(kSpeakers));
  EXPECT_NE(find(r, "utterance", "rmia-offline").direction_source.find("a = "), std::string::npos);
}

TEST(CalibratedAttacks, AKeepMatrixOfAnotherDrawLeavesThemAtChance) {
  Fixture f(8, /*keep_seed=*/99);
  const auto r = run_audit(f.in, config({"lira"}));
  EXPECT_NEAR(find(r, "utterance", "lira").metrics.auc, 0.5, 0.15);
}

TEST(CalibratedAttacks, ItemsNoReferenceTrainedOnAreSkippedWithTheReason) {
  Fixture f(8);
  for (auto& ref : f.in.references) {  // m0 and n0 are no longer candidates: no run trained on them
    for (const char* spk : {"m0", "n0"}) {
      ref.trained_speakers.erase(spk);
      for (int u = 0; u < kUtts; ++u) ref.trained_utterances.erase(std::string(spk) + "-" + std::to_string(u));
    }
  }
  const auto r = run_audit(f.in, config({"lira", "lira-offline"}));
  const auto& online = find(r, "utterance", "lira");
  EXPECT_EQ(online.skipped.size(), size_t(2 * kUtts));
  EXPECT_NE(online.skipped.summary(0, "utterances", "scored").find("0 reference runs trained on it"), std::string::npos)
      << online.skipped.summary(0, "utterances", "scored");
  EXPECT_EQ(find(r, "utterance", "lira-offline").skipped.size(), 0u);  // offline needs OUT runs only
}

TEST(CalibratedAttacks, InputsTheAttacksCannotUseAreRefused) {
  Fixture f(2);
  auto per_example = config({"lira"});
  per_example.calibrated.lira.variance = attack::LiraVariance::PerExample;  // needs 2 IN and 2 OUT runs per item
  EXPECT_THROW(run_audit(f.in, per_example), InvalidArgument);

  Fixture g(8);
  for (auto& ref : g.in.references) ref.speaker_keep = false;
  try {
    run_audit(g.in, config({"lira"}));
    FAIL() << "speaker-level lira on utterance-kept references was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("lira-mean"), std::string::npos) << e.what();
  }
  auto offline = g.in;
  for (auto& ref : offline.references) ref.trained_utterances.clear(), ref.trained_speakers.clear();
  auto c = config({"rmia"});
  c.levels = {"utterance"};
  EXPECT_THROW(run_audit(offline, c), InvalidArgument);  // online RMIA with offline references

  auto none = g.in;
  none.references.clear();
  EXPECT_THROW(run_audit(none, config({"lira"})), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::audit
