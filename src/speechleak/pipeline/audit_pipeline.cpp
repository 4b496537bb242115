#include "speechleak/pipeline/audit_pipeline.h"

#include "speechleak/audit/run_directory.h"
#include "speechleak/corpus/spec.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/extract.h"
#include "speechleak/report/html_report.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/util/error.h"

namespace speechleak::pipeline {

namespace {

void notify(const std::function<void(const std::string&)>& f, const std::string& stage) {
  if (f) f(stage);
}

}  // namespace

AuditJobResult run_audit_job(const AuditJob& job, encoder::Encoder* enc, const AuditJobHooks& hooks) {
  if (job.roles.size() != 3)
    throw invalid_argument("roles", "members, nonmembers and aux", std::to_string(job.roles.size()) + " roles");
  if (job.reverse_audio && !enc)
    throw invalid_argument("--reverse-audio", "a model (stores hold features, not audio)", "feature stores");
  job.config.validate();
  std::filesystem::remove(rundir::report_file(job.run_dir));  // never left next to results it does not describe
  AuditJobResult r;
  r.roles = job.roles;
  if (enc) {
    r.model_description = enc->metadata().description();
    notify(hooks.stage_started, "features");
    for (auto& role : r.roles) {
      if (hooks.before_extract) {
        const auto spec = corpus::CorpusSpec::parse(role.input);
        hooks.before_extract(role_store_dir(job.run_dir, role.name, job.reverse_audio),
                             features::make_manifest(*enc, spec.to_string(),
                                                     role_extract_config(job.config, job.reverse_audio, spec)));
      }
      extract_role(role, *enc, job.run_dir, job.config, job.reverse_audio, hooks.progress);
    }
    notify(hooks.stage_finished, "features");
  } else {
    for (auto& role : r.roles) role.store = role.input;
  }
  notify(hooks.stage_started, "audit");
  r.audit = audit::run_audit({r.roles[0].store, r.roles[1].store, r.roles[2].store}, job.config, hooks.progress);
  audit::RunInfo info{job.name, job.model_path, r.model_description,
                      run_config_json(job.command_line, job.model_path, r.audit.model_fingerprint, job.reverse_audio,
                                      r.roles, job.config)};
  audit::write_run_directory(job.run_dir, r.audit, info);
  notify(hooks.stage_finished, "audit");
  r.report = report::write_report_or_warn({job.run_dir}, rundir::report_file(job.run_dir));
  notify(hooks.stage_finished, "report");
  return r;
}

}  // namespace speechleak::pipeline
