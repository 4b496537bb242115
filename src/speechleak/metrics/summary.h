#pragma once
// Everything a membership-inference report states about one score, in one struct, with the JSON that the CLI
// writes. Key names follow formats.md ("Outputs people compare against"): LiRA's TPR at fixed FPR and balanced
// accuracy, ML Privacy Meter's auc / one_fpr / one_tenth_fpr / zero_fpr, and the seed authors' advantages.
#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/metrics/attack_metrics.h"
#include "speechleak/metrics/bootstrap.h"
#include "speechleak/metrics/config.h"
#include "speechleak/metrics/percentile_advantage.h"

namespace speechleak::metrics {

struct TprAtFprEstimate {
  TprAtFpr point;                    // on the data
  std::optional<Interval> interval;  // bootstrap; nullopt when bootstrap_replicates == 0
};

struct MetricsSummary {
  size_t n_members = 0;
  size_t n_nonmembers = 0;

  double auc = 0;
  std::optional<Interval> auc_interval;
  std::map<double, TprAtFprEstimate> tpr_at_fpr;  // keyed by config.fpr_targets

  BestPoint balanced_accuracy;  // LiRA: max over thresholds of 1 - (FPR + 1 - TPR) / 2
  BestPoint advantage;          // max over the ROC of TPR - FPR
  std::vector<ThresholdAdvantage> percentile_advantages;  // authors: non-member percentiles 0, 10, ..., 100
  ThresholdAdvantage mean_threshold_advantage;            // authors: threshold at the mean non-member score

  // ML Privacy Meter names; always computed, whatever config.fpr_targets holds.
  double one_fpr = 0;        // TPR at FPR 1%
  double one_tenth_fpr = 0;  // TPR at FPR 0.1%
  double zero_fpr = 0;       // TPR at FPR 0: members scoring above every non-member

  MetricsConfig config;  // the resolved config the numbers came from
};

// Validates config and inputs; builds the ROC once, runs the bootstrap when config.bootstrap_replicates > 0.
MetricsSummary summarize(std::span<const double> scores, std::span<const int> labels, const MetricsConfig& config);

// JSON object with the field names above; balanced_accuracy and advantage are numbers, their operating points
// go to balanced_accuracy_point / advantage_point ({threshold, tpr, fpr}). tpr_at_fpr is an object keyed by the
// shortest decimal form of each target ("0.001"); intervals are {"lower", "upper"} or null; an infinite
// threshold (no member admitted) is null; "config" records the resolved MetricsConfig.
nlohmann::json to_json(const MetricsSummary& summary);

}  // namespace speechleak::metrics
