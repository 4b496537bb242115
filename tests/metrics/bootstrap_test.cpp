#include <gtest/gtest.h>

#include <cmath>

#include "metrics/scored_data.h"
#include "speechleak/metrics/attack_metrics.h"
#include "speechleak/metrics/auc.h"
#include "speechleak/metrics/bootstrap.h"
#include "speechleak/metrics/grouped.h"
#include "speechleak/metrics/roc.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::metrics {
namespace {

using testing::from_classes;
using testing::gaussian_scores;
using testing::Scored;

const std::vector<double> kTargets = {0.0, 0.01, 0.1, 0.3};

// Counts for one random resample of each class, and the same resample written out item by item.
struct Resample {
  std::vector<uint32_t> member_counts, nonmember_counts;
  Scored items;
};

Resample draw(const ScoreGroups& g, uint64_t seed) {
  Rng rng(seed);
  Resample r;
  r.member_counts.assign(g.values.size(), 0);
  r.nonmember_counts.assign(g.values.size(), 0);
  for (size_t k = 0; k < g.member_group.size(); ++k) {
    const uint32_t group = g.member_group[uniform_index(rng, g.member_group.size())];
    ++r.member_counts[group];
    r.items.scores.push_back(g.values[group]);
    r.items.labels.push_back(1);
  }
  for (size_t k = 0; k < g.nonmember_group.size(); ++k) {
    const uint32_t group = g.nonmember_group[uniform_index(rng, g.nonmember_group.size())];
    ++r.nonmember_counts[group];
    r.items.scores.push_back(g.values[group]);
    r.items.labels.push_back(0);
  }
  return r;
}

TEST(Grouped, CountMetricsEqualRocMetricsOnTheMaterialisedResample) {
  const Scored d = gaussian_scores(21, 150, 250, 0.7, 5);
  const ScoreGroups g = group_scores(d.scores, d.labels);
  ASSERT_LT(g.values.size(), 60u);  // many ties, so the grouping matters
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE(seed);
    const Resample r = draw(g, seed);
    const CountMetrics m = metrics_from_counts(r.member_counts, r.nonmember_counts, kTargets);
    const auto roc = roc_curve(r.items.scores, r.items.labels);
    EXPECT_NEAR(m.auc, auc_from_roc(roc), 1e-12);
    for (size_t t = 0; t < kTargets.size(); ++t) EXPECT_EQ(m.tpr_at_fpr[t], tpr_at_fpr(roc, kTargets[t]).tpr);
  }
}

TEST(Grouped, OriginalCountsReproduceThePointEstimates) {
  const Scored d = gaussian_scores(22, 90, 60, 0.5, 3);
  const ScoreGroups g = group_scores(d.scores, d.labels);
  std::vector<uint32_t> mc(g.values.size(), 0), nc(g.values.size(), 0);
  for (uint32_t group : g.member_group) ++mc[group];
  for (uint32_t group : g.nonmember_group) ++nc[group];
  const CountMetrics m = metrics_from_counts(mc, nc, kTargets);
  const auto roc = roc_curve(d.scores, d.labels);
  EXPECT_NEAR(m.auc, roc_auc(d.scores, d.labels), 1e-12);
  for (size_t t = 0; t < kTargets.size(); ++t) EXPECT_EQ(m.tpr_at_fpr[t], tpr_at_fpr(roc, kTargets[t]).tpr);
}

TEST(PercentileInterval, LinearQuantilesOfReplicates) {
  std::vector<double> values;
  for (int i = 100; i >= 0; --i) values.push_back(i);  // order must not matter
  const Interval ci = percentile_interval(values, 0.9);
  EXPECT_NEAR(ci.lower, 5.0, 1e-9);
  EXPECT_NEAR(ci.upper, 95.0, 1e-9);
  const Interval ci95 = percentile_interval(values, 0.95);
  EXPECT_NEAR(ci95.lower, 2.5, 1e-9);
  EXPECT_NEAR(ci95.upper, 97.5, 1e-9);
}

MetricsConfig config_with(size_t replicates, uint64_t seed) {
  MetricsConfig c;
  c.bootstrap_replicates = replicates;
  c.seed = seed;
  c.fpr_targets = {0.01, 0.1};
  return c;
}

TEST(Bootstrap, IntervalContainsPointEstimate) {
  for (uint64_t seed : {31u, 32u, 33u}) {
    SCOPED_TRACE(seed);
    const Scored d = gaussian_scores(seed, 500, 500, 0.8);
    const BootstrapResult b = bootstrap_intervals(d.scores, d.labels, config_with(500, seed));
    const double auc = roc_auc(d.scores, d.labels);
    EXPECT_LT(b.auc.lower, auc);
    EXPECT_GT(b.auc.upper, auc);
    const double tpr = tpr_at_fpr(roc_curve(d.scores, d.labels), 0.1).tpr;
    EXPECT_LE(b.tpr_at_fpr[1].lower, tpr);
    EXPECT_GE(b.tpr_at_fpr[1].upper, tpr);
    EXPECT_LT(b.tpr_at_fpr[1].lower, b.tpr_at_fpr[1].upper);
  }
}

TEST(Bootstrap, AucIntervalWidthMatchesHanleyMcNeil) {
  const size_t n = 1000;
  const Scored d = gaussian_scores(41, n, n, 0.75);
  const double a = roc_auc(d.scores, d.labels);
  // Hanley & McNeil (1982) standard error of the AUC.
  const double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
  const double se = std::sqrt((a * (1 - a) + (n - 1.0) * (q1 - a * a) + (n - 1.0) * (q2 - a * a)) / double(n * n));
  const BootstrapResult b = bootstrap_intervals(d.scores, d.labels, config_with(1000, 5));
  const double ratio = (b.auc.upper - b.auc.lower) / (2 * 1.959964 * se);
  EXPECT_GT(ratio, 0.85);
  EXPECT_LT(ratio, 1.15);
}

TEST(Bootstrap, NarrowsWithMoreData) {
  const Scored small = gaussian_scores(51, 100, 100, 0.8);
  const Scored large = gaussian_scores(51, 5000, 5000, 0.8);
  const BootstrapResult bs = bootstrap_intervals(small.scores, small.labels, config_with(400, 1));
  const BootstrapResult bl = bootstrap_intervals(large.scores, large.labels, config_with(400, 1));
  // Width scales like 1/sqrt(n): 50 times the data, about 7 times narrower; ask for 3.
  EXPECT_LT(3 * (bl.auc.upper - bl.auc.lower), bs.auc.upper - bs.auc.lower);
  EXPECT_LT(3 * (bl.tpr_at_fpr[1].upper - bl.tpr_at_fpr[1].lower), bs.tpr_at_fpr[1].upper - bs.tpr_at_fpr[1].lower);
}

TEST(Bootstrap, SameSeedSameIntervalDifferentSeedDifferent) {
  const Scored d = gaussian_scores(61, 300, 300, 0.5);
  const BootstrapResult a = bootstrap_intervals(d.scores, d.labels, config_with(200, 7));
  const BootstrapResult b = bootstrap_intervals(d.scores, d.labels, config_with(200, 7));
  const BootstrapResult c = bootstrap_intervals(d.scores, d.labels, config_with(200, 8));
  EXPECT_EQ(a.auc.lower, b.auc.lower);
  EXPECT_EQ(a.auc.upper, b.auc.upper);
  EXPECT_EQ(a.tpr_at_fpr[0].upper, b.tpr_at_fpr[0].upper);
  EXPECT_TRUE(a.auc.lower != c.auc.lower || a.auc.upper != c.auc.upper);
}

TEST(Bootstrap, StratifiedResamplesAlwaysHoldBothClasses) {
  // One member above one non-member: every stratified replicate is the data itself. A pooled resample would
  // draw a single class half of the time and could not compute an AUC at all.
  const Scored d = from_classes({1.0}, {0.0});
  const BootstrapResult b = bootstrap_intervals(d.scores, d.labels, config_with(50, 3));
  EXPECT_EQ(b.auc.lower, 1.0);
  EXPECT_EQ(b.auc.upper, 1.0);
  EXPECT_EQ(b.replicates, 50u);
}

TEST(Bootstrap, RejectsZeroReplicatesAndBadConfidence) {
  const Scored d = from_classes({1.0, 2.0}, {0.0});
  try {
    bootstrap_intervals(d.scores, d.labels, config_with(0, 1));
    ADD_FAILURE() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("bootstrap_replicates"), std::string::npos) << e.what();
  }
  MetricsConfig c = config_with(10, 1);
  c.confidence = 1.0;
  EXPECT_THROW(bootstrap_intervals(d.scores, d.labels, c), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::metrics
