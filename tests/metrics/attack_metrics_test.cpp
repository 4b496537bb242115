#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics/scored_data.h"
#include "speechleak/metrics/attack_metrics.h"
#include "speechleak/metrics/percentile_advantage.h"
#include "speechleak/metrics/roc.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {
namespace {

using testing::from_classes;
using testing::gaussian_scores;
using testing::Scored;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Members {0.9, 0.8, 0.8, 0.3}, non-members {0.8, 0.5, 0.2}. ROC (tpr, fpr): (0,0) (1/4,0) (3/4,1/3) (3/4,2/3)
// (1,2/3) (1,1) at thresholds inf, 0.9, 0.8, 0.5, 0.3, 0.2.
Scored hand_case() { return from_classes({0.9, 0.8, 0.8, 0.3}, {0.8, 0.5, 0.2}); }

TEST(TprAtFpr, HandCaseReadsRocPointsWithoutInterpolation) {
  const Scored d = hand_case();
  const auto roc = roc_curve(d.scores, d.labels);
  // Below FPR 1/3 only the points at FPR 0 qualify: the best is 0.9 (TPR 1/4).
  for (double x : {0.0, 0.001, 0.01, 0.1, 0.3}) {
    SCOPED_TRACE(x);
    const TprAtFpr r = tpr_at_fpr(roc, x);
    EXPECT_DOUBLE_EQ(r.tpr, 0.25);
    EXPECT_EQ(r.fpr, 0.0);
    EXPECT_EQ(r.threshold, 0.9);
  }
  // FPR exactly 1/3 is reachable at threshold 0.8; no interpolation towards the (1, 2/3) point below 2/3.
  EXPECT_DOUBLE_EQ(tpr_at_fpr(roc, 1.0 / 3.0).tpr, 0.75);
  EXPECT_EQ(tpr_at_fpr(roc, 1.0 / 3.0).threshold, 0.8);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(roc, 0.6).tpr, 0.75);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(roc, 0.7).tpr, 1.0);
  EXPECT_EQ(tpr_at_fpr(roc, 0.7).threshold, 0.3);
}

TEST(TprAtFpr, FewNonMembersCollapseSmallTargetsToZeroFpr) {
  // 100 non-members at 0..99; 10 members above them all, 10 at 50.5. FPR 0.001 and 0.005 are below 1/100.
  std::vector<double> members, nonmembers;
  for (int i = 0; i < 100; ++i) nonmembers.push_back(i);
  for (int i = 0; i < 10; ++i) members.push_back(200 + i);
  for (int i = 0; i < 10; ++i) members.push_back(50.5);
  const Scored d = from_classes(members, nonmembers);
  const auto roc = roc_curve(d.scores, d.labels);
  const TprAtFpr tiny = tpr_at_fpr(roc, 0.001), zero = tpr_at_fpr(roc, 0.0);
  EXPECT_TRUE(tiny.below_resolution);
  EXPECT_DOUBLE_EQ(tiny.tpr, 0.5);
  EXPECT_DOUBLE_EQ(tiny.tpr, zero.tpr);
  EXPECT_EQ(tiny.threshold, 200.0);  // the lowest threshold above every non-member
  // FPR 1/100 is resolvable but admits no further member (threshold 99 adds a non-member only); among equal TPRs
  // the lower FPR is reported.
  const TprAtFpr one = tpr_at_fpr(roc, 0.01);
  EXPECT_FALSE(one.below_resolution);
  EXPECT_DOUBLE_EQ(one.tpr, 0.5);
  EXPECT_EQ(one.fpr, 0.0);
  // The members at 50.5 come in together with the 49 non-members 51..99: FPR exactly 0.49.
  EXPECT_DOUBLE_EQ(tpr_at_fpr(roc, 0.48).tpr, 0.5);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(roc, 0.49).tpr, 1.0);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(roc, 0.49).fpr, 0.49);
}

TEST(TprAtFpr, NoMemberAboveAnyNonMemberGivesZeroAtInfiniteThreshold) {
  const Scored d = from_classes({1.0, 2.0}, {3.0, 4.0});
  const TprAtFpr r = tpr_at_fpr(roc_curve(d.scores, d.labels), 0.1);
  EXPECT_EQ(r.tpr, 0.0);
  EXPECT_EQ(r.threshold, kInf);
}

TEST(TprAtFpr, MonotoneInTargetFpr) {
  for (uint64_t seed : {11u, 12u, 13u}) {
    const Scored d = gaussian_scores(seed, 400, 600, 0.8, 10);
    const auto roc = roc_curve(d.scores, d.labels);
    double previous = -1;
    for (double x = 0.0; x <= 1.0; x += 0.0025) {
      const double tpr = tpr_at_fpr(roc, x).tpr;
      EXPECT_GE(tpr, previous) << "seed " << seed << " x " << x;
      previous = tpr;
    }
    EXPECT_EQ(tpr_at_fpr(roc, 1.0).tpr, 1.0);
  }
}

TEST(TprAtFpr, RejectsTargetOutsideUnitInterval) {
  const Scored d = hand_case();
  const auto roc = roc_curve(d.scores, d.labels);
  for (double x : {-0.1, 1.5, std::nan("")}) {
    try {
      tpr_at_fpr(roc, x);
      ADD_FAILURE() << "no exception for " << x;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("target_fpr"), std::string::npos) << e.what();
    }
  }
}

TEST(Advantage, HandCaseBestPointAndBalancedAccuracy) {
  const Scored d = hand_case();
  const auto roc = roc_curve(d.scores, d.labels);
  // TPR - FPR over the curve: 0, 1/4, 3/4-1/3 = 5/12, 3/4-2/3 = 1/12, 1-2/3 = 1/3, 0. Best 5/12 at 0.8.
  const BestPoint adv = best_advantage(roc);
  EXPECT_DOUBLE_EQ(adv.value, 5.0 / 12.0);
  EXPECT_EQ(adv.point.threshold, 0.8);
  // Balanced accuracy 1 - (1/3 + 1/4) / 2 = 17/24 at the same threshold.
  const BestPoint ba = best_balanced_accuracy(roc);
  EXPECT_DOUBLE_EQ(ba.value, 17.0 / 24.0);
  EXPECT_EQ(ba.point.threshold, 0.8);
}

TEST(Advantage, PerfectInvertedAndTied) {
  const Scored perfect = from_classes({3.0, 4.0}, {1.0, 2.0});
  EXPECT_DOUBLE_EQ(best_advantage(roc_curve(perfect.scores, perfect.labels)).value, 1.0);
  EXPECT_DOUBLE_EQ(best_balanced_accuracy(roc_curve(perfect.scores, perfect.labels)).value, 1.0);
  // Inverted: no threshold beats chance in the member-is-higher direction; (0,0) gives 0 and 1/2.
  const Scored inverted = from_classes({1.0, 2.0}, {3.0, 4.0});
  EXPECT_EQ(best_advantage(roc_curve(inverted.scores, inverted.labels)).value, 0.0);
  EXPECT_EQ(best_balanced_accuracy(roc_curve(inverted.scores, inverted.labels)).value, 0.5);
  const Scored tied = from_classes({0.5, 0.5}, {0.5});
  EXPECT_EQ(best_advantage(roc_curve(tied.scores, tied.labels)).value, 0.0);
}

TEST(Percentile, AuthorsIndexAndNumpyLinear) {
  const std::vector<double> v = {0.8, 0.2, 0.5};  // sorted: 0.2 0.5 0.8
  // Authors: sorted[min(floor(3 p / 100), 2)]
  EXPECT_EQ(percentile(v, 0, PercentileMethod::kAuthors), 0.2);
  EXPECT_EQ(percentile(v, 30, PercentileMethod::kAuthors), 0.2);   // floor(0.9) = 0
  EXPECT_EQ(percentile(v, 40, PercentileMethod::kAuthors), 0.5);   // floor(1.2) = 1
  EXPECT_EQ(percentile(v, 70, PercentileMethod::kAuthors), 0.8);   // floor(2.1) = 2
  EXPECT_EQ(percentile(v, 100, PercentileMethod::kAuthors), 0.8);  // floor(3) = 3, clamped to 2
  // numpy.percentile(v, p): position 2 p / 100, linear between neighbours.
  EXPECT_EQ(percentile(v, 0, PercentileMethod::kNumpyLinear), 0.2);
  EXPECT_NEAR(percentile(v, 10, PercentileMethod::kNumpyLinear), 0.26, 1e-12);
  EXPECT_NEAR(percentile(v, 25, PercentileMethod::kNumpyLinear), 0.35, 1e-12);
  EXPECT_EQ(percentile(v, 50, PercentileMethod::kNumpyLinear), 0.5);
  EXPECT_EQ(percentile(v, 100, PercentileMethod::kNumpyLinear), 0.8);
  EXPECT_NEAR(percentile(std::vector<double>{1, 2, 3, 4}, 90, PercentileMethod::kNumpyLinear), 3.7, 1e-12);
  EXPECT_THROW(percentile(v, 101, PercentileMethod::kAuthors), InvalidArgument);
  EXPECT_THROW(percentile(std::vector<double>{}, 50, PercentileMethod::kAuthors), InvalidArgument);
}

TEST(PercentileAdvantage, HandCaseAuthorsConvention) {
  const Scored d = hand_case();
  const auto rows = percentile_advantages(d.scores, d.labels, decile_percentiles());
  ASSERT_EQ(rows.size(), 11u);
  // Thresholds (authors' index into 0.2 0.5 0.8): p 0-30 -> 0.2, 40-60 -> 0.5, 70-100 -> 0.8.
  // Member iff score >= threshold: 0.2 -> TPR 1, FPR 1, adv 0; 0.5 -> 3/4 - 2/3 = 1/12; 0.8 -> 3/4 - 1/3 = 5/12.
  for (size_t k = 0; k < rows.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(rows[k].percentile, 10.0 * k);
    const double thr = k <= 3 ? 0.2 : k <= 6 ? 0.5 : 0.8;
    const double adv = k <= 3 ? 0.0 : k <= 6 ? 1.0 / 12.0 : 5.0 / 12.0;
    EXPECT_EQ(rows[k].threshold, thr);
    EXPECT_NEAR(rows[k].advantage, adv, 1e-12);
  }
  // Percentile 100 with >=: the top non-member is still called a member, so FPR is 1/3, not 0.
  EXPECT_NEAR(rows[10].fpr, 1.0 / 3.0, 1e-12);
  // Mean non-member score 0.5: the same as the 0.5 row.
  const ThresholdAdvantage mean = mean_threshold_advantage(d.scores, d.labels);
  EXPECT_NEAR(mean.threshold, 0.5, 1e-12);
  EXPECT_NEAR(mean.advantage, 1.0 / 12.0, 1e-12);
  EXPECT_TRUE(std::isnan(mean.percentile));
}

TEST(PercentileAdvantage, NumpyMethodMovesThresholdsBetweenScores) {
  const Scored d = hand_case();
  const std::vector<double> p = {25};
  // numpy: 0.35, between 0.3 and 0.5: members >= 0.35: 3 (TPR 3/4); non-members: 0.8, 0.5 (FPR 2/3).
  const auto rows = percentile_advantages(d.scores, d.labels, p, PercentileMethod::kNumpyLinear);
  EXPECT_NEAR(rows[0].threshold, 0.35, 1e-12);
  EXPECT_NEAR(rows[0].advantage, 1.0 / 12.0, 1e-12);
  // The authors' method picks 0.2 (floor(0.75) = 0): advantage 0.
  EXPECT_EQ(percentile_advantages(d.scores, d.labels, p)[0].advantage, 0.0);
}

TEST(PercentileMethodName, RoundTripsAndRejectsUnknown) {
  EXPECT_EQ(parse_percentile_method(to_string(PercentileMethod::kNumpyLinear)), PercentileMethod::kNumpyLinear);
  EXPECT_EQ(parse_percentile_method("authors"), PercentileMethod::kAuthors);
  EXPECT_THROW(parse_percentile_method("nearest"), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::metrics
