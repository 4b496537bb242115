#include "speechleak/metrics/config.h"

#include <algorithm>

#include "speechleak/metrics/format.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {

void MetricsConfig::validate() const {
  for (size_t i = 0; i < fpr_targets.size(); ++i) {
    const double x = fpr_targets[i];
    if (!(x >= 0.0 && x <= 1.0))
      throw invalid_argument("fpr_targets", "false-positive rates in [0, 1]", format_double(x));
    if (std::find(fpr_targets.begin(), fpr_targets.begin() + i, x) != fpr_targets.begin() + i)
      throw invalid_argument("fpr_targets", "each rate once", format_double(x) + " twice");
  }
  if (!(confidence > 0.0 && confidence < 1.0))
    throw invalid_argument("confidence", "a coverage in (0, 1), e.g. 0.95", format_double(confidence));
}

std::string MetricsConfig::to_string() const {
  std::string targets;
  for (double x : fpr_targets) {
    if (!targets.empty()) targets += ',';
    targets += format_double(x);
  }
  return "fpr_targets=" + targets + " bootstrap_replicates=" + std::to_string(bootstrap_replicates) +
         " confidence=" + format_double(confidence) + " seed=" + std::to_string(seed) +
         " percentile_method=" + metrics::to_string(percentile_method);
}

}  // namespace speechleak::metrics
