#include "speechleak/metrics/config.h"

#include <algorithm>

#include "speechleak/util/number_format.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {

void MetricsConfig::validate() const {
  for (size_t i = 0; i < fpr_targets.size(); ++i) {
    const double x = fpr_targets[i];
    if (!(x >= 0.0 && x <= 1.0))
      throw invalid_argument("fpr_targets", "false-positive rates in [0, 1]", text::shortest(x));
    if (std::find(fpr_targets.begin(), fpr_targets.begin() + i, x) != fpr_targets.begin() + i)
      throw invalid_argument("fpr_targets", "each rate once", text::shortest(x) + " twice");
  }
  if (!(confidence > 0.0 && confidence < 1.0))
    throw invalid_argument("confidence", "a coverage in (0, 1), e.g. 0.95", text::shortest(confidence));
}

std::string MetricsConfig::to_string() const {
  std::string targets;
  for (double x : fpr_targets) {
    if (!targets.empty()) targets += ',';
    targets += text::shortest(x);
  }
  return "fpr_targets=" + targets + " bootstrap_replicates=" + std::to_string(bootstrap_replicates) +
         " confidence=" + text::shortest(confidence) + " seed=" + std::to_string(seed) +
         " percentile_method=" + metrics::to_string(percentile_method);
}

}  // namespace speechleak::metrics
