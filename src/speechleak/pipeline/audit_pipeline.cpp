#include "speechleak/pipeline/audit_pipeline.h"

#include <set>

#include "speechleak/audit/run_directory.h"
#include "speechleak/corpus/load.h"
#include "speechleak/corpus/spec.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/extract.h"
#include "speechleak/pipeline/audio_descriptors.h"
#include "speechleak/pipeline/reference_features.h"
#include "speechleak/report/html_report.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::pipeline {

namespace {

void notify(const std::function<void(const std::string&)>& f, const std::string& stage) {
  if (f) f(stage);
}

// Audio descriptors of the three roles' utterances (for the quantile attack and the blind baseline), read from
// their corpora; utterances whose audio cannot be read are left out and counted in the log.
audit::DescriptorMap describe_roles(const std::vector<RoleInput>& roles, const ProgressCallback& progress) {
  audit::DescriptorMap all;
  SkipReport skipped;
  size_t utterances = 0;
  for (const auto& role : roles) {
    const auto corpus = corpus::load_corpus(corpus::CorpusSpec::parse(role.input));
    utterances += corpus.utterances.size();
    all.merge(describe_corpus(corpus, skipped, progress));
  }
  if (!skipped.empty()) log_warn("audio descriptors: " + skipped.summary(utterances - skipped.size(), "utterances", "described"));
  return all;
}

// The blind baseline on the utterances the first utterance-level attack evaluated (calibration speakers and
// per-speaker caps excluded as the attacks excluded them).
void add_blind_baseline(const AuditJob& job, AuditJobResult& r, const audit::DescriptorMap& descriptors) {
  const audit::AttackResult* scored = nullptr;
  for (const auto& a : r.audit.results)
    if (a.level == "utterance") {
      scored = &a;
      break;
    }
  if (!scored) {
    static const std::string kNone = "no blind baseline: it runs on the utterance-level evaluation, and none ran";
    r.audit.warnings.push_back(kNone);
    return;
  }
  audit::BlindBaselineConfig config;
  config.seed = job.config.seed;
  config.bootstrap = job.config.metrics.bootstrap_replicates;
  try {
    r.audit.blind_baseline = audit::run_blind_baseline(labelled_descriptors(scored->items, descriptors), config);
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
  if (!job.references.empty() && !enc)
    throw invalid_argument("--references", "a model to audit (the references are scored on the same audio)",
                           "feature stores");
  job.config.validate();
  for (const auto& a : job.config.attacks)  // refused before minutes of extraction, not after
    if (audit::needs_references(a) && job.references.empty())
      throw invalid_argument("--references", "reference runs for --attack " + a + " (speechleak references train)",
                             "none");
  std::optional<references::ReferenceSet> refs;
  if (!job.references.empty()) refs = references::ReferenceSet::load(job.references);
  const auto pretext = enc ? plan_pretext_signal(job.config, job.model_path, refs ? &*refs : nullptr) : PretextPlan{};
  const auto target_signal =
      pretext.target ? make_pretext_signal(job.model_path, job.model_path, job.config.seed) : nullptr;
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
      extract_role(role, *enc, job.run_dir, job.config, job.reverse_audio, hooks.progress, target_signal.get());
    }
    notify(hooks.stage_finished, "features");
  } else {
    for (auto& role : r.roles) role.store = role.input;
  }
  audit::AuditInputs inputs{r.roles[0].store, r.roles[1].store, r.roles[2].store, nullptr, {}};
  if (refs) {
    notify(hooks.stage_started, "references");
    auto extraction = extract_references(*refs, r.roles, *enc, job.model_path, job.run_dir, job.config,
                                         job.reverse_audio, pretext.references, hooks.progress);
    inputs.references = std::move(extraction.inputs);
    for (auto& w : extraction.warnings) log_warn(w);
    notify(hooks.stage_finished, "references");
  }
  notify(hooks.stage_started, "audit");
  auto config = job.config;
  const bool quantile = config.wants("utterance", "quantile");
  audit::DescriptorMap descriptors;
  if (enc && (quantile || config.blind_baseline)) descriptors = describe_roles(r.roles, hooks.progress);
  if (!enc && quantile) {
    log_info("no quantile attack: it needs the audio, and feature stores hold features only");
    std::erase(config.attacks, std::string("quantile"));
  }
  inputs.descriptors = enc ? &descriptors : nullptr;
  r.audit = audit::run_audit(inputs, config, hooks.progress);
  if (enc && config.blind_baseline) add_blind_baseline(job, r, descriptors);
  audit::RunInfo info{job.name, job.model_path, r.model_description,
                      run_config_json(job.command_line, job.model_path, r.audit.model_fingerprint, job.reverse_audio,
                                      r.roles, job.config)};
  if (refs) {  // which references, with what they trained on and the signal's seed (masks)
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& in : inputs.references) runs.push_back(in.name);
    info.config["references"] = {{"dir", job.references.string()}, {"config", refs->config().to_json()},
                                 {"runs_used", runs}, {"pretext_signal", pretext.references},
                                 {"pretext_seed", job.config.seed}};
  }
  audit::write_run_directory(job.run_dir, r.audit, info);
  notify(hooks.stage_finished, "audit");
  r.report = report::write_report_or_warn({job.run_dir}, rundir::report_file(job.run_dir));
  notify(hooks.stage_finished, "report");
  return r;
}

}  // namespace speechleak::pipeline
