// The quantile attack's calibration: a score dominated by a descriptor-driven difficulty gains from subtracting what
// the auxiliary non-members predict; pure noise descriptors leave it about where it was; bad shapes are refused.
#include "speechleak/audit/difficulty_calibration.h"

#include <gtest/gtest.h>

#include "speechleak/metrics/auc.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::audit {
namespace {

struct Split {
  std::vector<std::vector<double>> ax, ex;
  std::vector<double> as, es;
  std::vector<int> member;
};

// Score = 2 * descriptor 0 (difficulty: duration, loudness...) + 0.5 * member + noise; descriptors 1-5 are noise.
Split make(uint64_t seed, double difficulty_weight) {
  Rng rng(seed);
  Split s;
  auto row = [&] {
    std::vector<double> x;
    for (int j = 0; j < 6; ++j) x.push_back(standard_normal(rng));
    return x;
  };
  for (int i = 0; i < 200; ++i) {
    auto x = row();
    s.as.push_back(difficulty_weight * x[0] + 0.3 * standard_normal(rng));
    s.ax.push_back(x);
  }
  for (int i = 0; i < 200; ++i) {
    auto x = row();
    s.member.push_back(i % 2);
    s.es.push_back(difficulty_weight * x[0] + 0.5 * (i % 2) + 0.3 * standard_normal(rng));
    s.ex.push_back(x);
  }
  return s;
}

TEST(DifficultyCalibration, RemovesWhatTheDescriptorsPredict) {
  const auto s = make(1, 2.0);
  const double raw = metrics::mann_whitney_auc(s.es, s.member);
  const auto calibrated = difficulty_calibrated_scores(s.ax, s.as, s.ex, s.es);
  ASSERT_EQ(calibrated.size(), s.es.size());
  const double cal = metrics::mann_whitney_auc(calibrated, s.member);
  EXPECT_LT(raw, 0.65);
  EXPECT_GT(cal, 0.8);
}

TEST(DifficultyCalibration, WithoutADifficultySignalItDoesNotInventOne) {
  const auto s = make(2, 0.0);
  const double raw = metrics::mann_whitney_auc(s.es, s.member);
  const double cal = metrics::mann_whitney_auc(difficulty_calibrated_scores(s.ax, s.as, s.ex, s.es), s.member);
  EXPECT_NEAR(cal, raw, 0.06);
}

TEST(DifficultyCalibration, RefusesTooFewAuxiliaryRowsAndRaggedRows) {
  const auto s = make(3, 1.0);
  EXPECT_THROW(difficulty_calibrated_scores({s.ax.begin(), s.ax.begin() + 3}, {s.as.begin(), s.as.begin() + 3}, s.ex,
                                            s.es),
               InvalidArgument);
  auto ragged = s.ex;
  ragged[5].pop_back();
  EXPECT_THROW(difficulty_calibrated_scores(s.ax, s.as, ragged, s.es), InvalidArgument);
  EXPECT_THROW(difficulty_calibrated_scores(s.ax, s.as, s.ex, {1.0}), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::audit
