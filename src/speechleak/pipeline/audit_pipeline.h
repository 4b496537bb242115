#pragma once
// The one audit pipeline: model -> features of each role -> audit -> run directory -> report. `speechleak audit`,
// `speechleak demo` and the studies built on the demo all run it, so an audit printed by the demo and the demo's
// own run extract, score, record and report the same way.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "speechleak/audit/audit.h"
#include "speechleak/features/feature_store.h"
#include "speechleak/pipeline/roles.h"
#include "speechleak/util/progress.h"

namespace speechleak::encoder {
class Encoder;
}

namespace speechleak::pipeline {

struct AuditJob {
  std::string name;                    // run name in reports
  std::filesystem::path run_dir;
  std::string model_path;              // recorded; "" when auditing feature stores
  std::vector<RoleInput> roles;        // members, nonmembers, aux: corpus specs (with an encoder) or stores
  audit::AuditConfig config;
  bool reverse_audio = false;          // attack with time-reversed audio (needs an encoder)
  std::string command_line;            // recorded in config.json
  // A references directory (references/reference_runs.h) for the calibrated attacks; "" = none. Needs an encoder:
  // every finished reference run is extracted over the same roles into RUN/references/<run>.
  std::filesystem::path references;
};

struct AuditJobHooks {
  ProgressCallback progress;
  // Before a role is extracted, with the store directory and the manifest it will be written with (the demo
  // discards stale stores of earlier presets there).
  std::function<void(const std::filesystem::path& store, const features::StoreManifest& manifest)> before_extract;
  std::function<void(const std::string& stage)> stage_started;   // "features", "audit"
  std::function<void(const std::string& stage)> stage_finished;  // "features", "audit", "report"
};

struct AuditJobResult {
  audit::AuditResult audit;
  std::vector<RoleInput> roles;            // with their stores and counts
  std::string model_description;           // the encoder's, or "" for stores
  std::optional<std::filesystem::path> report;  // RUN/report.html, or nullopt when it could not be written
};

// With `encoder`, each role's corpus is extracted into RUN/features/<role> (resuming what an earlier run left);
// without, the roles' inputs are the feature stores. Then run_audit, the run directory and report.html (a report
// problem is a warning: report::write_report_or_warn). Throws for bad inputs before any audit result is written.
AuditJobResult run_audit_job(const AuditJob& job, encoder::Encoder* encoder, const AuditJobHooks& hooks = {});

}  // namespace speechleak::pipeline
