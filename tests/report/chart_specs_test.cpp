// Chart data: ROC thinning, histograms and the log-axis floor.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "speechleak/report/chart_specs.h"

namespace speechleak::report {
namespace {

// A staircase ROC with n0 non-members and n1 members, members' scores shifted up.
std::vector<RocPoint> staircase(size_t n) {
  std::vector<RocPoint> roc = {{0, 0}};
  for (size_t i = 1; i <= n; ++i) {
    const double f = static_cast<double>(i) / n;
    roc.push_back({f * f, std::sqrt(f)});
  }
  return roc;
}

TEST(ThinRoc, KeepsShortCurvesWhole) {
  const auto roc = staircase(50);
  EXPECT_EQ(thin_roc(roc, 2000, 1e-5).size(), roc.size());
  EXPECT_EQ(thin_roc(staircase(5000), 0, 1e-5).size(), 5001u);  // 0 keeps all
}

TEST(ThinRoc, BoundsLongCurvesAndKeepsEnds) {
  const auto roc = staircase(100000);
  const auto thin = thin_roc(roc, 400, 1e-5);
  EXPECT_LE(thin.size(), 402u);
  EXPECT_GE(thin.size(), 100u);
  EXPECT_EQ(thin.front().fpr, 0.0);
  EXPECT_EQ(thin.back().fpr, 1.0);
  EXPECT_EQ(thin.back().tpr, 1.0);
  // The low-FPR region that the log-log chart shows keeps points, not only the linear-scale ones.
  size_t below_1e3 = 0;
  for (const auto& p : thin) below_1e3 += (p.fpr > 0 && p.fpr < 1e-3);
  EXPECT_GE(below_1e3, 10u);
}

TEST(Histogram, SharesSumToOnePerGroupOverCommonBins) {
  const Histogram h = histogram({1, 2, 3, 4}, {0, 0.5, 1}, 8);
  ASSERT_EQ(h.edges.size(), 9u);
  EXPECT_DOUBLE_EQ(h.edges.front(), 0.0);
  EXPECT_DOUBLE_EQ(h.edges.back(), 4.0);
  EXPECT_NEAR(std::accumulate(h.members.begin(), h.members.end(), 0.0), 1.0, 1e-12);
  EXPECT_NEAR(std::accumulate(h.nonmembers.begin(), h.nonmembers.end(), 0.0), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(h.members.back(), 0.25);    // the maximum lands in the last bin
  EXPECT_DOUBLE_EQ(h.nonmembers.front(), 1.0 / 3);  // bins are half-open: 0.5 opens the second
}

TEST(Histogram, ConstantScoresGetAUnitRange) {
  const Histogram h = histogram({2, 2}, {2}, 4);
  EXPECT_DOUBLE_EQ(h.edges.front(), 1.5);
  EXPECT_DOUBLE_EQ(h.edges.back(), 2.5);
  EXPECT_NEAR(std::accumulate(h.members.begin(), h.members.end(), 0.0), 1.0, 1e-12);
}

report::RunData run_with_nonmembers(size_t n0) {
  report::RunData run;
  Result r;
  r.level = "utterance";
  r.attack = "basic";
  r.metrics.n_nonmembers = n0;
  r.roc = {{0, 0}, {1, 1}};
  run.results.push_back(r);
  return run;
}

TEST(LogAxisFloor, IsTheOptionUnlessTheDataResolveLess) {
  ReportOptions o;
  EXPECT_DOUBLE_EQ(log_axis_floor({run_with_nonmembers(500)}, o), 1e-5);
  EXPECT_NEAR(log_axis_floor({run_with_nonmembers(300000)}, o), 1e-6, 1e-18);  // 1/300000 rounded down
  o.log_axis_min = 1e-3;
  EXPECT_NEAR(log_axis_floor({run_with_nonmembers(500)}, o), 1e-3, 1e-15);
}

TEST(RocCharts, LogChartClampsZeroToTheFloorAndHasTheChanceLine) {
  const std::vector<report::RunData> runs = {run_with_nonmembers(10)};
  const auto charts = roc_charts(runs, ReportOptions{});
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0].id, "roc-utterance-linear");
  EXPECT_EQ(charts[1].id, "roc-utterance-log");
  const auto& log = charts[1].config;
  EXPECT_EQ(log["options"]["scales"]["x"]["type"], "logarithmic");
  EXPECT_EQ(log["options"]["scales"]["y"]["type"], "logarithmic");
  EXPECT_DOUBLE_EQ(log["options"]["scales"]["x"]["min"].get<double>(), 1e-5);
  const auto& datasets = log["data"]["datasets"];
  ASSERT_EQ(datasets.size(), 2u);
  EXPECT_DOUBLE_EQ(datasets[0]["data"][0]["x"].get<double>(), 1e-5);
  EXPECT_EQ(datasets[1]["label"], "chance (TPR = FPR)");
  EXPECT_EQ(charts[0].config["options"]["scales"]["x"]["type"], "linear");
  EXPECT_DOUBLE_EQ(charts[0].config["data"]["datasets"][0]["data"][0]["x"].get<double>(), 0.0);
}

}  // namespace
}  // namespace speechleak::report
