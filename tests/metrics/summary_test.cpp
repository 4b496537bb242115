#include <gtest/gtest.h>

#include <cmath>

#include "metrics/scored_data.h"
#include "speechleak/metrics/config.h"
#include "speechleak/metrics/summary.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {
namespace {

using testing::from_classes;
using testing::gaussian_scores;
using testing::Scored;

Scored hand_case() { return from_classes({0.9, 0.8, 0.8, 0.3}, {0.8, 0.5, 0.2}); }

MetricsConfig no_bootstrap() {
  MetricsConfig c;
  c.bootstrap_replicates = 0;
  return c;
}

TEST(Summary, HandCaseNumbersWithoutBootstrap) {
  const Scored d = hand_case();
  const MetricsSummary s = summarize(d.scores, d.labels, no_bootstrap());
  EXPECT_EQ(s.n_members, 4u);
  EXPECT_EQ(s.n_nonmembers, 3u);
  EXPECT_DOUBLE_EQ(s.auc, 0.75);
  EXPECT_FALSE(s.auc_interval.has_value());
  ASSERT_EQ(s.tpr_at_fpr.size(), 3u);
  for (double x : {0.001, 0.01, 0.1}) {
    EXPECT_DOUBLE_EQ(s.tpr_at_fpr.at(x).point.tpr, 0.25);
    EXPECT_TRUE(s.tpr_at_fpr.at(x).point.below_resolution);  // 3 non-members: 1/3 is the smallest FPR > 0
    EXPECT_FALSE(s.tpr_at_fpr.at(x).interval.has_value());
  }
  EXPECT_DOUBLE_EQ(s.balanced_accuracy.value, 17.0 / 24.0);
  EXPECT_DOUBLE_EQ(s.advantage.value, 5.0 / 12.0);
  EXPECT_DOUBLE_EQ(s.one_fpr, 0.25);
  EXPECT_DOUBLE_EQ(s.one_tenth_fpr, 0.25);
  EXPECT_DOUBLE_EQ(s.zero_fpr, 0.25);
  ASSERT_EQ(s.percentile_advantages.size(), 11u);
  EXPECT_NEAR(s.percentile_advantages[10].advantage, 5.0 / 12.0, 1e-12);
  EXPECT_NEAR(s.mean_threshold_advantage.advantage, 1.0 / 12.0, 1e-12);
}

TEST(Summary, MlPrivacyMeterNamesAreReadAtTheirOwnFprs) {
  // 1000 non-members 0..999; members: 5 above all, 10 at 995.5 (FPR 4/1000), 20 at 985.5 (FPR 14/1000).
  std::vector<double> members, nonmembers;
  for (int i = 0; i < 1000; ++i) nonmembers.push_back(i);
  for (int i = 0; i < 5; ++i) members.push_back(2000 + i);
  for (int i = 0; i < 10; ++i) members.push_back(995.5);
  for (int i = 0; i < 20; ++i) members.push_back(985.5);
  for (int i = 0; i < 65; ++i) members.push_back(-1);
  const Scored d = from_classes(members, nonmembers);
  const MetricsSummary s = summarize(d.scores, d.labels, no_bootstrap());
  EXPECT_DOUBLE_EQ(s.zero_fpr, 0.05);
  EXPECT_DOUBLE_EQ(s.one_tenth_fpr, 0.05);  // FPR 0.001 admits one non-member, no further member
  EXPECT_DOUBLE_EQ(s.one_fpr, 0.15);        // FPR 0.004 <= 0.01 < 0.014
  EXPECT_DOUBLE_EQ(s.tpr_at_fpr.at(0.1).point.tpr, 0.35);
  EXPECT_FALSE(s.tpr_at_fpr.at(0.001).point.below_resolution);
}

TEST(Summary, BootstrapIntervalsFilledWhenEnabled) {
  const Scored d = gaussian_scores(3, 400, 400, 1.0);
  MetricsConfig c;
  c.bootstrap_replicates = 200;
  c.seed = 9;
  const MetricsSummary s = summarize(d.scores, d.labels, c);
  ASSERT_TRUE(s.auc_interval.has_value());
  EXPECT_LT(s.auc_interval->lower, s.auc);
  EXPECT_GT(s.auc_interval->upper, s.auc);
  ASSERT_TRUE(s.tpr_at_fpr.at(0.1).interval.has_value());
  EXPECT_LE(s.tpr_at_fpr.at(0.1).interval->lower, s.tpr_at_fpr.at(0.1).point.tpr);
}

TEST(Summary, JsonUsesTheAgreedKeyNames) {
  const Scored d = hand_case();
  MetricsConfig c;
  c.bootstrap_replicates = 20;
  const nlohmann::json j = to_json(summarize(d.scores, d.labels, c));
  for (const char* key : {"n_members", "n_nonmembers", "auc", "auc_interval", "tpr_at_fpr", "balanced_accuracy",
                          "balanced_accuracy_point", "advantage", "advantage_point", "percentile_advantages",
                          "mean_threshold_advantage", "one_fpr", "one_tenth_fpr", "zero_fpr", "config"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["n_members"], 4);
  EXPECT_DOUBLE_EQ(j["auc"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["advantage"].get<double>(), 5.0 / 12.0);
  EXPECT_DOUBLE_EQ(j["advantage_point"]["threshold"].get<double>(), 0.8);
  EXPECT_TRUE(j["tpr_at_fpr"].contains("0.001"));
  EXPECT_TRUE(j["tpr_at_fpr"].contains("0.01"));
  EXPECT_TRUE(j["tpr_at_fpr"].contains("0.1"));
  EXPECT_DOUBLE_EQ(j["tpr_at_fpr"]["0.1"]["tpr"].get<double>(), 0.25);
  EXPECT_TRUE(j["tpr_at_fpr"]["0.1"]["interval"].contains("lower"));
  EXPECT_DOUBLE_EQ(j["zero_fpr"].get<double>(), 0.25);
  EXPECT_EQ(j["percentile_advantages"].size(), 11u);
  EXPECT_EQ(j["percentile_advantages"][4]["percentile"], 40.0);
  EXPECT_FALSE(j["mean_threshold_advantage"].contains("percentile"));
  EXPECT_EQ(j["config"]["bootstrap_replicates"], 20);
  EXPECT_EQ(j["config"]["percentile_method"], "authors");
}

TEST(Summary, JsonWritesNullForMissingIntervalAndInfiniteThreshold) {
  const Scored d = from_classes({1.0}, {2.0});  // inverted: TPR 0 at every FPR < 1, threshold +inf
  const nlohmann::json j = to_json(summarize(d.scores, d.labels, no_bootstrap()));
  EXPECT_TRUE(j["auc_interval"].is_null());
  EXPECT_TRUE(j["tpr_at_fpr"]["0.1"]["threshold"].is_null());
  EXPECT_TRUE(j["tpr_at_fpr"]["0.1"]["interval"].is_null());
  EXPECT_NO_THROW((void)j.dump());
}

// Metrics whose thresholds come from the evaluation labels say so, naming each one that exists in the summary.
TEST(Summary, JsonLabelsTheLabelInformedMetrics) {
  const Scored d = from_classes({3.0, 2.0}, {1.0, 2.5});
  const nlohmann::json j = to_json(summarize(d.scores, d.labels, no_bootstrap()));
  ASSERT_TRUE(j.contains("label_informed"));
  const auto names = j["label_informed"]["metrics"].get<std::vector<std::string>>();
  EXPECT_EQ(names, (std::vector<std::string>{"balanced_accuracy", "advantage", "percentile_advantages",
                                             "mean_threshold_advantage"}));
  for (const auto& n : names) EXPECT_TRUE(j.contains(n)) << n;
  EXPECT_NE(j["label_informed"]["note"].get<std::string>().find("upper bounds"), std::string::npos);
}

TEST(MetricsConfig, DefaultsValidateAndPrint) {
  const MetricsConfig c;
  EXPECT_NO_THROW(c.validate());
  EXPECT_EQ(c.to_string(),
            "fpr_targets=0.001,0.01,0.1 bootstrap_replicates=1000 confidence=0.95 seed=0 percentile_method=authors");
}

TEST(MetricsConfig, ValidateNamesTheField) {
  auto expect_field = [](const MetricsConfig& c, const std::string& field) {
    try {
      c.validate();
      ADD_FAILURE() << "no exception for " << field;
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(std::string(e.what()).rfind(field + ":", 0), 0u) << e.what();
    }
  };
  MetricsConfig c;
  c.fpr_targets = {0.01, 1.5};
  expect_field(c, "fpr_targets");
  c.fpr_targets = {0.01, 0.01};
  expect_field(c, "fpr_targets");
  c = MetricsConfig{};
  c.confidence = 0.0;
  expect_field(c, "confidence");
  c.confidence = std::nan("");
  expect_field(c, "confidence");
  // summarize validates the config before touching the data.
  const Scored d = hand_case();
  EXPECT_THROW(summarize(d.scores, d.labels, c), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::metrics
