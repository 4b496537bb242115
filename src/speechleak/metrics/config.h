#pragma once
// Settings of a metrics run (summary.h). Printed with to_string() and recorded in the summary JSON, so a run's
// numbers can be reproduced.
#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/metrics/percentile_advantage.h"

namespace speechleak::metrics {

struct MetricsConfig {
  // FPRs at which TPR is reported with a bootstrap interval (LiRA: 0.1%, 1%, 10%). Each in [0, 1], each once.
  std::vector<double> fpr_targets = {0.001, 0.01, 0.1};
  // Bootstrap replicates for the 95% intervals; 0 switches the bootstrap off (no intervals).
  size_t bootstrap_replicates = 1000;
  // Coverage of the percentile intervals, in (0, 1).
  double confidence = 0.95;
  // Seed of the bootstrap resampling (sub-streams are derived from it; see bootstrap.h).
  uint64_t seed = 0;
  // How the authors' percentile thresholds are placed (percentile_advantage.h).
  PercentileMethod percentile_method = PercentileMethod::kAuthors;

  void validate() const;  // throws InvalidArgument naming the field
  std::string to_string() const;
};

}  // namespace speechleak::metrics
