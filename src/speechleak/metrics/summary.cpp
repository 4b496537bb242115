#include "speechleak/metrics/summary.h"

#include <cmath>

#include "speechleak/metrics/auc.h"
#include "speechleak/util/number_format.h"
#include "speechleak/metrics/inputs.h"
#include "speechleak/metrics/roc.h"

namespace speechleak::metrics {

namespace {

// JSON has no infinity; nlohmann would write null anyway, this makes it explicit.
nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

nlohmann::json interval_json(const std::optional<Interval>& interval) {
  if (!interval) return nullptr;
  return {{"lower", interval->lower}, {"upper", interval->upper}};
}

// The operating point at which a maximised metric is reached.
nlohmann::json point_json(const RocPoint& p) {
  return {{"threshold", number_or_null(p.threshold)}, {"tpr", p.tpr}, {"fpr", p.fpr}};
}

nlohmann::json threshold_advantage_json(const ThresholdAdvantage& a) {
  nlohmann::json j = {{"threshold", a.threshold}, {"tpr", a.tpr}, {"fpr", a.fpr}, {"advantage", a.advantage}};
  if (!std::isnan(a.percentile)) j["percentile"] = a.percentile;
  return j;
}

nlohmann::json config_json(const MetricsConfig& config) {
  return {{"fpr_targets", config.fpr_targets},
          {"bootstrap_replicates", config.bootstrap_replicates},
          {"confidence", config.confidence},
          {"seed", config.seed},
          {"bootstrap_method", "stratified percentile"},
          {"percentile_method", to_string(config.percentile_method)}};
}

}  // namespace

MetricsSummary summarize(std::span<const double> scores, std::span<const int> labels, const MetricsConfig& config) {
  config.validate();
  const ClassCounts counts = check_scores_and_labels(scores, labels);
  const std::vector<RocPoint> roc = roc_curve(scores, labels);

  MetricsSummary s;
  s.config = config;
  s.n_members = counts.members;
  s.n_nonmembers = counts.nonmembers;
  s.auc = auc_from_roc(roc);
  for (double x : config.fpr_targets) s.tpr_at_fpr[x].point = tpr_at_fpr(roc, x);
  s.balanced_accuracy = best_balanced_accuracy(roc);
  s.advantage = best_advantage(roc);
  const std::vector<double> deciles = decile_percentiles();
  s.percentile_advantages = percentile_advantages(scores, labels, deciles, config.percentile_method);
  s.mean_threshold_advantage = mean_threshold_advantage(scores, labels);
  s.one_fpr = tpr_at_fpr(roc, 0.01).tpr;
  s.one_tenth_fpr = tpr_at_fpr(roc, 0.001).tpr;
  s.zero_fpr = tpr_at_fpr(roc, 0.0).tpr;

  if (config.bootstrap_replicates > 0) {
    const BootstrapResult boot = bootstrap_intervals(scores, labels, config);
    s.auc_interval = boot.auc;
    for (size_t t = 0; t < config.fpr_targets.size(); ++t)
      s.tpr_at_fpr[config.fpr_targets[t]].interval = boot.tpr_at_fpr[t];
  }
  return s;
}

nlohmann::json to_json(const MetricsSummary& s) {
  nlohmann::json tpr = nlohmann::json::object();
  for (const auto& [x, e] : s.tpr_at_fpr)
    tpr[text::shortest(x)] = {{"tpr", e.point.tpr},
                             {"fpr", e.point.fpr},
                             {"threshold", number_or_null(e.point.threshold)},
                             {"below_resolution", e.point.below_resolution},
                             {"interval", interval_json(e.interval)}};
  nlohmann::json percentiles = nlohmann::json::array();
  for (const auto& a : s.percentile_advantages) percentiles.push_back(threshold_advantage_json(a));
  return {{"n_members", s.n_members},
          {"n_nonmembers", s.n_nonmembers},
          {"auc", s.auc},
          {"auc_interval", interval_json(s.auc_interval)},
          {"tpr_at_fpr", tpr},
          {"balanced_accuracy", s.balanced_accuracy.value},
          {"balanced_accuracy_point", point_json(s.balanced_accuracy.point)},
          {"advantage", s.advantage.value},
          {"advantage_point", point_json(s.advantage.point)},
          {"percentile_advantages", percentiles},
          {"mean_threshold_advantage", threshold_advantage_json(s.mean_threshold_advantage)},
          {"one_fpr", s.one_fpr},
          {"one_tenth_fpr", s.one_tenth_fpr},
          {"zero_fpr", s.zero_fpr},
          // Thresholds chosen with the evaluation labels (the best over the ROC, or the non-members' own score
          // percentiles): upper bounds on what an attacker without those labels achieves, not attack results.
          {"label_informed",
           {{"metrics", {"balanced_accuracy", "advantage", "percentile_advantages", "mean_threshold_advantage"}},
            {"note", "thresholds chosen on the evaluation labels (oracle): upper bounds, not attack results"}}},
          {"config", config_json(s.config)}};
}

}  // namespace speechleak::metrics
