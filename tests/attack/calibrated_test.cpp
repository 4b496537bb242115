// LiRA and RMIA against hand-computed cases, a planted-signal population where calibration must beat the raw score
// (and a shuffled keep matrix must not), and the refusals of inputs the attacks cannot use.
#include "speechleak/attack/calibrated.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "speechleak/metrics/auc.h"
#include "speechleak/util/error.h"

namespace speechleak::attack {
namespace {

ReferenceSignals refs(std::vector<std::vector<double>> s, std::vector<std::vector<bool>> k) {
  return {std::move(s), std::move(k)};
}

TEST(Lira, OnlinePerExampleIsTheGaussianLogLikelihoodRatio) {
  // IN {2, 4}: median 3, sd sqrt 2; OUT {0, 2}: median 1, sd sqrt 2. At t = 3: 0 - (-(2^2) / (2 * 2)) = 1.
  const auto r = refs({{2}, {4}, {0}, {2}}, {{true}, {true}, {false}, {false}});
  const auto s = lira_online({3.0}, r, {LiraVariance::PerExample});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NEAR(s[0], 1.0, 1e-12);
}

TEST(Lira, FixedVariancePoolsTheWithinExampleSpread) {
  // A: IN {1, 3}, OUT {0, 2}; B: IN {5, 7}, OUT {4, 6}. Pooled sd per side: sqrt(4 / 2). At t_A = 2: medians 2 and
  // 1, score 0 - (-(1 / 4)) = 0.25.
  const auto r = refs({{1, 5}, {3, 7}, {0, 4}, {2, 6}}, {{true, true}, {true, true}, {false, false}, {false, false}});
  const auto s = lira_online({2.0, 6.0}, r);
  EXPECT_NEAR(s[0], 0.25, 1e-12);
  EXPECT_NEAR(s[1], 0.25, 1e-12);
}

TEST(Lira, OfflineIsTheOneSidedTailOfTheOutGaussian) {
  // OUT {0, 2}: median 1, sd sqrt 2; t = 1 + sqrt 2 is z = 1: -log P[Z >= 1] = -log 0.158655.
  const auto r = refs({{0}, {2}}, {{false}, {false}});
  const auto s = lira_offline({1 + std::sqrt(2.0)}, r, {LiraVariance::PerExample});
  EXPECT_NEAR(s[0], -std::log(0.15865525393145707), 1e-9);
  const auto far = lira_offline({1e3}, r, {LiraVariance::PerExample});
  EXPECT_TRUE(std::isfinite(far[0]));
  EXPECT_GT(far[0], 1e4);
}

TEST(Rmia, ScoresTheShareOfPopulationSamplesItDominates) {
  // x: p(x|target) 0.8, OUT reference 0.4. a = 0: p(x) = (0.4 + 1) / 2 = 0.7, ratio 8/7. Population ratios:
  // z1 0.5 / 0.75, z2 0.9 / 0.6 = 1.5, z3 0.6 / 0.8: x dominates z1 and z3 at gamma 1, none at gamma 2.
  const auto r = refs({{0.4}}, {{false}});
  const auto pop = refs({{0.5, 0.2, 0.6}}, {{false, false, false}});
  const std::vector<double> pop_target{0.5, 0.9, 0.6};
  EXPECT_NEAR(rmia({0.8}, r, pop_target, pop, {1.0, 0.0, false})[0], 2.0 / 3, 1e-12);
  EXPECT_NEAR(rmia({0.8}, r, pop_target, pop, {2.0, 0.0, false})[0], 0.0, 1e-12);
  // a = 1: p(x) = p_OUT(x): ratios 2 against 1, 4.5, 1.
  EXPECT_NEAR(rmia({0.8}, r, pop_target, pop, {1.0, 1.0, false})[0], 2.0 / 3, 1e-12);
  // Online: p(x) = (p_IN + p_OUT) / 2 = 0.6 with an IN run at 0.8: ratio 4/3.
  const auto both = refs({{0.8}, {0.4}}, {{true}, {false}});
  const auto pop2 = refs({{0.5, 0.2, 0.6}, {0.5, 0.2, 0.6}}, {{true, true, true}, {false, false, false}});
  EXPECT_NEAR(rmia({0.8}, both, pop_target, pop2, {1.0, 0.0, true})[0], 2.0 / 3, 1e-12);
}

// n examples with a difficulty that dominates the raw signal and a small membership effect; R reference runs,
// each example IN for exactly half of them.
struct Planted {
  std::vector<double> target;
  std::vector<int> member;
  ReferenceSignals refs;
  std::vector<double> pop_target;
  ReferenceSignals pop;
};

Planted planted(uint32_t seed, size_t n = 400, size_t runs = 8, double effect = 0.3, double noise = 0.1) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 1);
  Planted p;
  p.refs.signals.assign(runs, std::vector<double>(n));
  p.refs.keep.assign(runs, std::vector<bool>(n));
  std::vector<size_t> order(runs);
  for (size_t i = 0; i < n; ++i) {
    const double difficulty = z(rng);
    p.member.push_back(int(i % 2));
    p.target.push_back(difficulty + effect * p.member[i] + noise * z(rng));
    for (size_t r = 0; r < runs; ++r) order[r] = r;
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t k = 0; k < runs; ++k) {
      const bool in = k < runs / 2;
      p.refs.keep[order[k]][i] = in;
      p.refs.signals[order[k]][i] = difficulty + effect * in + noise * z(rng);
    }
  }
  p.pop.signals.assign(runs, {});
  p.pop.keep.assign(runs, {});
  for (size_t j = 0; j < n / 2; ++j) {
    const double difficulty = z(rng);
    p.pop_target.push_back(difficulty + noise * z(rng));
    for (size_t r = 0; r < runs; ++r) {
      p.pop.signals[r].push_back(difficulty + noise * z(rng));
      p.pop.keep[r].push_back(false);
    }
  }
  return p;
}

std::vector<double> exp_of(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v) out.push_back(std::exp(x));
  return out;
}

ReferenceSignals exp_of(const ReferenceSignals& r) {
  ReferenceSignals out{{}, r.keep};
  for (const auto& row : r.signals) out.signals.push_back(exp_of(row));
  return out;
}

TEST(CalibratedAttacks, BeatTheRawScoreOnAPlantedSignalAndAShuffledKeepStaysAtChance) {
  const auto p = planted(7);
  const double raw = metrics::mann_whitney_auc(p.target, p.member);
  const double online = metrics::mann_whitney_auc(lira_online(p.target, p.refs), p.member);
  const double per_example =
      metrics::mann_whitney_auc(lira_online(p.target, p.refs, {LiraVariance::PerExample}), p.member);
  const double offline = metrics::mann_whitney_auc(lira_offline(p.target, p.refs), p.member);
  // RMIA on a probability-like signal, with the offline a tuned on the references themselves: here the OUT
  // references are unbiased for p(x), so the tuning must find a = 1 (no correction); the default 0.3 is for real
  // models whose OUT references underestimate p(x).
  const double a = tune_rmia_offline_a(exp_of(p.refs), exp_of(p.pop));
  EXPECT_GE(a, 0.8);
  const double rmia_off = metrics::mann_whitney_auc(
      rmia(exp_of(p.target), exp_of(p.refs), exp_of(p.pop_target), exp_of(p.pop), {1.0, a, false}), p.member);
  EXPECT_LT(raw, 0.7);
  EXPECT_GT(online, 0.9);
  EXPECT_GT(per_example, 0.85);
  EXPECT_GT(offline, 0.85);
  EXPECT_GT(rmia_off, 0.9);

  // The keep matrix of another draw: IN and OUT no longer mean anything for these signals.
  auto shuffled = p.refs;
  shuffled.keep = planted(8).refs.keep;
  const double control = metrics::mann_whitney_auc(lira_online(p.target, shuffled), p.member);
  EXPECT_GT(control, 0.4);
  EXPECT_LT(control, 0.6);
}

TEST(CalibratedAttacks, RefuseInputsTheyCannotUse) {
  auto refused = [](auto f, const std::string& what) {
    try {
      f();
      ADD_FAILURE() << "accepted; expected a refusal naming " << what;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  const auto one_each = refs({{1}, {0}}, {{true}, {false}});
  refused([&] { lira_online({1}, one_each, {LiraVariance::PerExample}); }, "2+ reference runs");
  refused([&] { lira_online({1}, refs({{1}, {2}}, {{false}, {false}})); }, "(IN)");
  refused([&] { lira_online({1, 2}, one_each); }, "2 signals and keep entries per run");
  refused([&] { lira_online({1}, refs({{1}}, {})); }, "a keep row per run");
  refused([&] { lira_offline({1}, refs({}, {})); }, "at least one reference run");
  const auto pop = refs({{0.5}}, {{false}});
  refused([&] { rmia({-0.1}, refs({{0.4}}, {{false}}), {0.5}, pop); }, "probability-like");
  refused([&] { rmia({0.5}, refs({{0.4}}, {{true}}), {0.5}, pop); }, "(OUT)");
  refused([&] { rmia({0.5}, refs({{0.4}}, {{false}}), {0.5}, pop, {1.0, 0.3, true}); }, "online RMIA");
  refused([&] { tune_rmia_offline_a(refs({{0.4}}, {{false}}), pop); }, "at least 2 runs");
}

}  // namespace
}  // namespace speechleak::attack
