#include "speechleak/metrics/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "speechleak/metrics/grouped.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::metrics {

namespace {

// Linearly interpolated quantile of ascending `sorted` at q in [0, 1] (numpy.quantile's default).
double quantile_of_sorted(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double t = position - static_cast<double>(below);
  return sorted[below] + (sorted[below + 1] - sorted[below]) * t;
}

// Adds one draw with replacement from `groups_of_class` to `counts`.
void resample_into(std::span<const uint32_t> groups_of_class, std::vector<uint32_t>& counts, Rng& rng) {
  const uint64_t n = groups_of_class.size();
  for (uint64_t k = 0; k < n; ++k) ++counts[groups_of_class[uniform_index(rng, n)]];
}

}  // namespace

Interval percentile_interval(std::vector<double> values, double confidence) {
  if (values.empty()) throw invalid_argument("values", "at least one replicate value", "none");
  std::sort(values.begin(), values.end());
  const double alpha = 1.0 - confidence;
  return {quantile_of_sorted(values, alpha / 2.0), quantile_of_sorted(values, 1.0 - alpha / 2.0)};
}

BootstrapResult bootstrap_intervals(std::span<const double> scores, std::span<const int> labels,
                                    const MetricsConfig& config) {
  config.validate();
  if (config.bootstrap_replicates == 0)
    throw invalid_argument("bootstrap_replicates", "at least 1 for an interval", "0");
  const ScoreGroups groups = group_scores(scores, labels);
  const size_t replicates = config.bootstrap_replicates;
  const size_t n_targets = config.fpr_targets.size();

  std::vector<double> auc_values(replicates);
  std::vector<std::vector<double>> tpr_values(n_targets, std::vector<double>(replicates));
  std::vector<uint32_t> member_counts(groups.values.size()), nonmember_counts(groups.values.size());
  for (size_t r = 0; r < replicates; ++r) {
    Rng rng(derive_seed(config.seed, "metrics.bootstrap." + std::to_string(r)));
    std::fill(member_counts.begin(), member_counts.end(), 0u);
    std::fill(nonmember_counts.begin(), nonmember_counts.end(), 0u);
    resample_into(groups.member_group, member_counts, rng);
    resample_into(groups.nonmember_group, nonmember_counts, rng);
    const CountMetrics m = metrics_from_counts(member_counts, nonmember_counts, config.fpr_targets);
    auc_values[r] = m.auc;
    for (size_t t = 0; t < n_targets; ++t) tpr_values[t][r] = m.tpr_at_fpr[t];
  }

  BootstrapResult result;
  result.replicates = replicates;
  result.confidence = config.confidence;
  result.auc = percentile_interval(std::move(auc_values), config.confidence);
  for (auto& values : tpr_values)
    result.tpr_at_fpr.push_back(percentile_interval(std::move(values), config.confidence));
  return result;
}

}  // namespace speechleak::metrics
