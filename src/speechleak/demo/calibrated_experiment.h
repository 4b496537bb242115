#pragma once
// `speechleak experiment calibrated`: the reference-calibrated attacks against a demo model (docs/results.md).
//
//   1. the demo (demo.h) in OUT: corpus, target model, its plain audit (cached when OUT already holds them);
//   2. reference encoders with the target's recipe, whole candidate speakers (the pretrain and heldout splits) IN
//      for half of the runs: OUT/references-<model>-runs<N>-seed<S>/ (references/reference_runs.h; resumable run
//      by run);
//   3. an audit of the target with the basic, improved, quantile, loss and calibrated attacks at both levels, the
//      same seeds and direction rule as the demo's, scored against the references with the pretext signal
//      (OUT/run-calibrated/), and the calibrated attacks again on the model-agnostic basic score
//      (OUT/run-calibrated-basic-signal/);
//   4. OUT/calibrated.md (the table with each attack's cost in reference runs and minutes), calibrated.json and
//      calibrated.html (the audit's report), written last.
#include <filesystem>
#include <string>

#include "speechleak/demo/demo.h"

namespace speechleak::demo {

struct CalibratedStudyOptions {
  int runs = 4;       // reference runs (each candidate speaker IN for half)
  uint64_t seed = 1;  // keep matrix and the runs' seeds
};

struct CalibratedStudyResult {
  DemoResult target;
  std::filesystem::path references, run_dir, table, record, report;
  audit::AuditResult audit;         // basic, improved, quantile, loss and the calibrated attacks, signal auto
  audit::AuditResult basic_signal;  // the calibrated attacks again on the basic score (run-calibrated-basic-signal)
  int runs = 0;
  double reference_train_s = 0;  // summed training wall time of the reference runs (as they recorded it)
  double audit_s = 0;            // this study's audit: extraction of target and references, attacks
  std::string markdown;          // calibrated.md
};

CalibratedStudyResult run_calibrated_study(const DemoPreset& preset, const std::filesystem::path& out,
                                           const DemoOptions& options = {}, const CalibratedStudyOptions& study = {});

}  // namespace speechleak::demo
