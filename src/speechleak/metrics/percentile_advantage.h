#pragma once
// The seed authors' fixed-threshold advantages (Tseng et al. 2022, public code utils/utils.py at
// RayTzeng/s3m-membership-inference commit 8c24ca6): TPR - FPR at thresholds placed at percentiles
// 0, 10, ..., 100 of the NON-MEMBER scores, and at the mean non-member score.
//
// Decision rule: member iff score >= threshold, as in the authors' code (they count TP as sim >= threshold) and
// as in roc.h. Consequences: at percentile 0 the threshold is the lowest non-member score, so FPR = 1 and the
// advantage is TPR - 1 <= 0; at percentile 100 the threshold is the highest non-member score, so FPR = (number of
// non-members tied at the maximum) / n0, not 0.
//
// Where the threshold sits between two non-member scores depends on the percentile definition:
//  - kAuthors (default, reproduces their tables): sorted ascending, index min(floor(n0 * p / 100), n0 - 1). The
//    authors do NOT call numpy.percentile; this is a nearest-rank rule rounding the index down.
//  - kNumpyLinear: numpy.percentile's default ("linear"): position (n0 - 1) * p / 100, interpolated linearly
//    between the two neighbouring sorted values.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace speechleak::metrics {

enum class PercentileMethod { kAuthors, kNumpyLinear };

std::string to_string(PercentileMethod method);                   // "authors" | "numpy_linear"
PercentileMethod parse_percentile_method(std::string_view name);  // throws InvalidArgument

// The p-th percentile (0 <= p <= 100) of `values` (non-empty, any order) under `method`.
double percentile(std::span<const double> values, double p, PercentileMethod method);

struct ThresholdAdvantage {
  double percentile = 0;  // p for the percentile thresholds; NaN for the mean threshold
  double threshold = 0;   // member iff score >= threshold
  double tpr = 0;
  double fpr = 0;
  double advantage = 0;  // tpr - fpr (may be negative)
};

// TPR, FPR and their difference at one threshold (member iff score >= threshold). Validates the inputs.
ThresholdAdvantage advantage_at_threshold(std::span<const double> scores, std::span<const int> labels,
                                          double threshold);

// One entry per percentile in `percentiles` (each in [0, 100]), in that order. Validates the inputs.
std::vector<ThresholdAdvantage> percentile_advantages(std::span<const double> scores, std::span<const int> labels,
                                                      std::span<const double> percentiles,
                                                      PercentileMethod method = PercentileMethod::kAuthors);

// The authors' percentiles: 0, 10, ..., 100.
std::vector<double> decile_percentiles();

// Threshold = arithmetic mean of the non-member scores (the authors' "average" row).
ThresholdAdvantage mean_threshold_advantage(std::span<const double> scores, std::span<const int> labels);

}  // namespace speechleak::metrics
