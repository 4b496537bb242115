#pragma once
// The blind baseline (Das, Zhang and Tramer, arXiv 2406.16201; docs/membership-inference.md): a classifier that never
// sees the model, trained on model-independent audio descriptors (duration, energy, pitch, log-mel statistics) to
// tell the evaluation's members from its non-members. If it separates them, the split is confounded (members and
// non-members differ in recording conditions, not only in membership) and the attacks' AUCs overstate leakage.
//
// Ridge logistic regression on standardised descriptors, cross-validated with folds grouped by speaker (members and
// non-members are different speakers, so ungrouped folds would let it recognise voices instead of conditions) and
// stratified (each fold holds speakers of both sides); the out-of-fold scores give the AUC and its bootstrap
// interval. Torch-free.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "speechleak/metrics/bootstrap.h"

namespace speechleak::audit {

struct BlindBaselineConfig {
  int folds = 5;             // fewer when a side has fewer speakers (at least 2 per side are needed)
  double l2 = 1.0;           // ridge penalty on the standardised weights (many descriptors, few speakers)
  int iterations = 300;      // gradient steps (the loss is convex; step 0.5 on standardised inputs)
  size_t bootstrap = 1000;   // replicates for the AUC interval (0: none)
  double confidence = 0.95;
  uint64_t seed = 0;         // fold assignment and bootstrap

  void validate() const;
  nlohmann::json to_json() const;
};

struct LabelledDescriptors {
  std::vector<std::string> names;       // one per column
  std::vector<std::vector<double>> x;   // one row per utterance
  std::vector<int> member;              // 1 = member
  std::vector<std::string> speaker;     // the fold groups
};

struct BlindBaseline {
  double auc = 0.5;
  std::optional<metrics::Interval> interval;
  size_t n_members = 0, n_nonmembers = 0;
  int folds = 0;
  bool confounded = false;  // the interval's lower end is above 0.5
  std::vector<std::string> descriptors;
  BlindBaselineConfig config;
  nlohmann::json to_json() const;
};

// Throws InvalidArgument when the rows disagree with the names, or a side has fewer than 2 speakers.
BlindBaseline run_blind_baseline(const LabelledDescriptors& data, const BlindBaselineConfig& config = {});

// "blind baseline (audio descriptors only, no model): AUC 0.5312 [0.402, 0.661], 24/24: no sign of a confounded
// split" (or "... SPLIT CONFOUNDED: ...").
std::string format_blind_baseline(const BlindBaseline& b);

// The run's warning when the split is confounded; empty otherwise.
std::string blind_baseline_warning(const BlindBaseline& b);

}  // namespace speechleak::audit
