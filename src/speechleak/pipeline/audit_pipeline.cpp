#include "speechleak/pipeline/audit_pipeline.h"

#include <set>

#include "speechleak/audit/run_directory.h"
#include "speechleak/corpus/load.h"
#include "speechleak/corpus/spec.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/extract.h"
#include "speechleak/pipeline/audio_descriptors.h"
#include "speechleak/report/html_report.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::pipeline {

namespace {

void notify(const std::function<void(const std::string&)>& f, const std::string& stage) {
  if (f) f(stage);
}

// The blind baseline on the utterances the first utterance-level attack evaluated (calibration speakers and
// per-speaker caps excluded as the attacks excluded them); on all of the two roles' utterances when no
// utterance-level attack ran.
void add_blind_baseline(const AuditJob& job, AuditJobResult& r, const ProgressCallback& progress) {
  std::set<std::string> evaluated;
  for (const auto& a : r.audit.results)
    if (a.level == "utterance") {
      for (const auto& item : a.items) evaluated.insert(item.id);
      break;
    }
  auto load = [&](const RoleInput& role) {
    auto c = corpus::load_corpus(corpus::CorpusSpec::parse(role.input));
    if (!evaluated.empty())
      std::erase_if(c.utterances, [&](const corpus::Utterance& u) { return !evaluated.count(u.id); });
    return c;
  };
  SkipReport skipped;
  const auto data = describe_roles(load(r.roles[0]), load(r.roles[1]), skipped, progress);
  if (!skipped.empty())
    log_warn("blind baseline: " + skipped.summary(data.x.size(), "utterances", "described"));
  audit::BlindBaselineConfig config;
  config.seed = job.config.seed;
  config.bootstrap = job.config.metrics.bootstrap_replicates;
  try {
    r.audit.blind_baseline = audit::run_blind_baseline(data, config);
  } catch (const InvalidArgument& e) {  // too few speakers: the attacks still ran; say why there is no baseline
    r.audit.warnings.push_back(std::string("no blind baseline: ") + e.what());
    return;
  }
  const auto warning = audit::blind_baseline_warning(*r.audit.blind_baseline);
  if (!warning.empty()) r.audit.warnings.push_back(warning);
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
  if (enc && job.config.blind_baseline) add_blind_baseline(job, r, hooks.progress);
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
