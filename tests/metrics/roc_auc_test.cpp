#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "metrics/scored_data.h"
#include "speechleak/metrics/auc.h"
#include "speechleak/metrics/roc.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {
namespace {

using testing::from_classes;
using testing::gaussian_scores;
using testing::Scored;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Members {0.9, 0.8, 0.8, 0.3}, non-members {0.8, 0.5, 0.2}, deliberately out of order.
Scored hand_case() {
  return {{0.8, 0.9, 0.2, 0.8, 0.3, 0.5, 0.8}, {0, 1, 0, 1, 1, 0, 1}};
}

TEST(Roc, HandCaseHasOnePointPerDistinctScoreAndDiagonalTieStep) {
  const Scored d = hand_case();
  const auto roc = roc_curve(d.scores, d.labels);
  // threshold, tp, fp: (inf,0,0) (0.9,1,0) (0.8,3,1) <- two members and one non-member tied: diagonal step
  // (0.5,3,2) (0.3,4,2) (0.2,4,3).
  const std::vector<double> thresholds = {kInf, 0.9, 0.8, 0.5, 0.3, 0.2};
  const std::vector<size_t> tp = {0, 1, 3, 3, 4, 4}, fp = {0, 0, 1, 2, 2, 3};
  ASSERT_EQ(roc.size(), thresholds.size());
  for (size_t k = 0; k < roc.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(roc[k].threshold, thresholds[k]);
    EXPECT_EQ(roc[k].tp, tp[k]);
    EXPECT_EQ(roc[k].fp, fp[k]);
    EXPECT_DOUBLE_EQ(roc[k].tpr, tp[k] / 4.0);
    EXPECT_DOUBLE_EQ(roc[k].fpr, fp[k] / 3.0);
  }
}

TEST(Auc, HandCaseByTrapezoidAndByRanks) {
  const Scored d = hand_case();
  // Pairs won out of 4 * 3 = 12: 0.9 beats all 3; each 0.8 beats 0.5 and 0.2 and ties 0.8 (2.5 each);
  // 0.3 beats 0.2 only. (3 + 2.5 + 2.5 + 1) / 12 = 0.75.
  EXPECT_DOUBLE_EQ(roc_auc(d.scores, d.labels), 0.75);
  EXPECT_DOUBLE_EQ(mann_whitney_auc(d.scores, d.labels), 0.75);
}

TEST(Auc, PerfectSeparationIsOne) {
  const Scored d = from_classes({3.0, 4.0, 5.0}, {1.0, 2.0});
  EXPECT_DOUBLE_EQ(roc_auc(d.scores, d.labels), 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_auc(d.scores, d.labels), 1.0);
  const auto roc = roc_curve(d.scores, d.labels);
  // All members are admitted before the first non-member: the curve passes through (0, 1).
  EXPECT_EQ(roc[3].tp, 3u);
  EXPECT_EQ(roc[3].fp, 0u);
}

TEST(Auc, InvertedScoreIsZero) {
  const Scored d = from_classes({1.0, 2.0}, {3.0, 4.0, 5.0});
  EXPECT_DOUBLE_EQ(roc_auc(d.scores, d.labels), 0.0);
  EXPECT_DOUBLE_EQ(mann_whitney_auc(d.scores, d.labels), 0.0);
}

TEST(Roc, AllTiedIsOneDiagonalStep) {
  const Scored d = from_classes({0.5, 0.5, 0.5}, {0.5, 0.5});
  const auto roc = roc_curve(d.scores, d.labels);
  ASSERT_EQ(roc.size(), 2u);
  EXPECT_EQ(roc[0].threshold, kInf);
  EXPECT_EQ(roc[0].tpr, 0.0);
  EXPECT_EQ(roc[0].fpr, 0.0);
  EXPECT_EQ(roc[1].threshold, 0.5);
  EXPECT_EQ(roc[1].tpr, 1.0);
  EXPECT_EQ(roc[1].fpr, 1.0);
  EXPECT_DOUBLE_EQ(auc_from_roc(roc), 0.5);
  EXPECT_DOUBLE_EQ(mann_whitney_auc(d.scores, d.labels), 0.5);
}

// Brute force over all pairs: the definition both implementations must meet.
double pairwise_auc(const Scored& d) {
  double wins = 0, pairs = 0;
  for (size_t i = 0; i < d.scores.size(); ++i)
    for (size_t j = 0; j < d.scores.size(); ++j)
      if (d.labels[i] == 1 && d.labels[j] == 0) {
        pairs += 1;
        wins += d.scores[i] > d.scores[j] ? 1.0 : d.scores[i] == d.scores[j] ? 0.5 : 0.0;
      }
  return wins / pairs;
}

TEST(Auc, TrapezoidEqualsMannWhitneyOnRandomDataWithTies) {
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE(seed);
    // 4 grid levels per unit: about 30 distinct values for 500 items, so almost every score is tied.
    const Scored d = gaussian_scores(seed, 300, 200, 0.4, 4);
    const double trapezoid = roc_auc(d.scores, d.labels);
    EXPECT_NEAR(trapezoid, mann_whitney_auc(d.scores, d.labels), 1e-12);
    EXPECT_NEAR(trapezoid, pairwise_auc(d), 1e-12);
    EXPECT_GT(trapezoid, 0.55);  // the shift is visible, so the check is not a trivial 0.5 == 0.5
  }
}

TEST(Roc, CurveIsMonotoneAndEndsAtOneOne) {
  const Scored d = gaussian_scores(7, 50, 80, 1.0, 3);
  const auto roc = roc_curve(d.scores, d.labels);
  for (size_t k = 1; k < roc.size(); ++k) {
    EXPECT_LT(roc[k].threshold, roc[k - 1].threshold);
    EXPECT_GE(roc[k].tp, roc[k - 1].tp);
    EXPECT_GE(roc[k].fp, roc[k - 1].fp);
    EXPECT_GT(roc[k].tp + roc[k].fp, roc[k - 1].tp + roc[k - 1].fp);  // every point admits someone new
  }
  EXPECT_EQ(roc.back().tp, 50u);
  EXPECT_EQ(roc.back().fp, 80u);
}

TEST(Roc, CsvHasHeaderAndOneRowPerPoint) {
  const auto roc = roc_curve(std::vector<double>{0.9, 0.1}, std::vector<int>{1, 0});
  std::ostringstream out;
  write_roc_csv(out, roc);
  EXPECT_EQ(out.str(), "threshold,fpr,tpr,tp,fp\ninf,0,0,0,0\n0.9,0,1,1,0\n0.1,1,1,1,1\n");
}

TEST(Auc, RejectsCurveNotFromRocCurve) {
  const std::vector<RocPoint> partial = {{kInf, 0, 0, 0.0, 0.0}, {0.5, 1, 0, 0.5, 0.0}};
  EXPECT_THROW(auc_from_roc(partial), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::metrics
