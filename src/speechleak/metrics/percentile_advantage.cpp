#include "speechleak/metrics/percentile_advantage.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "speechleak/util/number_format.h"
#include "speechleak/metrics/inputs.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {

namespace {

void check_percentile(double p) {
  if (!(p >= 0.0 && p <= 100.0)) throw invalid_argument("percentile", "a value in [0, 100]", text::shortest(p));
}

// `sorted` ascending and non-empty.
double percentile_of_sorted(const std::vector<double>& sorted, double p, PercentileMethod method) {
  const size_t n = sorted.size();
  if (method == PercentileMethod::kAuthors) {
    const auto index = static_cast<size_t>(std::floor(static_cast<double>(n) * p / 100.0));
    return sorted[std::min(index, n - 1)];
  }
  const double position = static_cast<double>(n - 1) * p / 100.0;
  const auto below = static_cast<size_t>(std::floor(position));
  if (below + 1 >= n) return sorted[n - 1];
  const double a = sorted[below], b = sorted[below + 1], t = position - static_cast<double>(below);
  // numpy's _lerp: interpolate from the nearer end so that t = 1 returns b exactly.
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1.0 - t);
}

}  // namespace

std::string to_string(PercentileMethod method) {
  return method == PercentileMethod::kAuthors ? "authors" : "numpy_linear";
}

PercentileMethod parse_percentile_method(std::string_view name) {
  if (name == "authors") return PercentileMethod::kAuthors;
  if (name == "numpy_linear") return PercentileMethod::kNumpyLinear;
  throw invalid_argument("percentile_method", "authors or numpy_linear", "'" + std::string(name) + "'");
}

double percentile(std::span<const double> values, double p, PercentileMethod method) {
  if (values.empty()) throw invalid_argument("values", "at least one value", "none");
  check_percentile(p);
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return percentile_of_sorted(sorted, p, method);
}

ThresholdAdvantage advantage_at_threshold(std::span<const double> scores, std::span<const int> labels,
                                          double threshold) {
  const ClassCounts counts = check_scores_and_labels(scores, labels);
  size_t tp = 0, fp = 0;
  for (size_t i = 0; i < scores.size(); ++i)
    if (scores[i] >= threshold) (labels[i] == 1 ? tp : fp) += 1;
  ThresholdAdvantage result;
  result.percentile = std::numeric_limits<double>::quiet_NaN();
  result.threshold = threshold;
  result.tpr = static_cast<double>(tp) / static_cast<double>(counts.members);
  result.fpr = static_cast<double>(fp) / static_cast<double>(counts.nonmembers);
  result.advantage = result.tpr - result.fpr;
  return result;
}

std::vector<ThresholdAdvantage> percentile_advantages(std::span<const double> scores, std::span<const int> labels,
                                                      std::span<const double> percentiles,
                                                      PercentileMethod method) {
  check_scores_and_labels(scores, labels);
  std::vector<double> nonmember = scores_with_label(scores, labels, 0);
  std::sort(nonmember.begin(), nonmember.end());
  std::vector<ThresholdAdvantage> out;
  for (double p : percentiles) {
    check_percentile(p);
    ThresholdAdvantage a = advantage_at_threshold(scores, labels, percentile_of_sorted(nonmember, p, method));
    a.percentile = p;
    out.push_back(a);
  }
  return out;
}

std::vector<double> decile_percentiles() { return {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}; }

ThresholdAdvantage mean_threshold_advantage(std::span<const double> scores, std::span<const int> labels) {
  check_scores_and_labels(scores, labels);
  const std::vector<double> nonmember = scores_with_label(scores, labels, 0);
  double sum = 0;
  for (double s : nonmember) sum += s;
  return advantage_at_threshold(scores, labels, sum / static_cast<double>(nonmember.size()));
}

}  // namespace speechleak::metrics
