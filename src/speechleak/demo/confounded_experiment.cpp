#include "speechleak/demo/confounded_experiment.h"

#include "speechleak/demo/demo_cache.h"
#include "speechleak/demo/demo_record.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/pipeline/audit_pipeline.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/synth/generator.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/number_format.h"

namespace speechleak::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string blind_cell(const audit::AuditResult& r) {
  if (!r.blind_baseline) return "-";
  const auto& b = *r.blind_baseline;
  std::string s = audit::format_auc({.auc = b.auc, .auc_interval = b.interval}, 3, 3);
  return b.confounded ? s + " **confounded**" : s;
}

std::string table(const ConfoundedStudyResult& s) {
  const auto& clean = s.clean.audit;
  std::string t = "| level | attack | clean split: AUC [95% CI] | confounded split: AUC [95% CI] | TPR@1% FPR clean / "
                  "confounded |\n|---|---|---|---|---|\n";
  t.append("| | blind baseline (no model) | ").append(blind_cell(clean)).append(" | ")
      .append(blind_cell(s.confounded)).append(" | |\n");
  for (size_t i = 0; i < clean.results.size() && i < s.confounded.results.size(); ++i) {
    const auto& a = clean.results[i];
    const auto& b = s.confounded.results[i];
    t.append("| ").append(a.level).append(" | ").append(a.attack).append(" | ")
        .append(audit::format_auc(a.metrics, 3, 3)).append(" | ").append(audit::format_auc(b.metrics, 3, 3))
        .append(" | ").append(text::fixed(a.metrics.one_fpr, 3) + " / " + text::fixed(b.metrics.one_fpr, 3))
        .append(" |\n");
  }
  return t;
}

}  // namespace

ConfoundedStudyResult run_confounded_study(const DemoPreset& preset, const fs::path& out, const DemoOptions& options,
                                           const ConfoundedStudyOptions& study) {
  if (!(study.snr_min_db <= study.snr_max_db))
    throw invalid_argument("--noise-snr", "MIN <= MAX", text::shortest(study.snr_min_db) + ":" +
                                                            text::shortest(study.snr_max_db));
  auto stage = [&](const std::string& what) {
    if (options.on_stage) options.on_stage(what);
  };
  ConfoundedStudyResult s;
  stage("confounded study: the clean split (the demo, preset " + preset.name + ")");
  s.clean = run_demo(preset, out, options);
  s.table = s.clean.out / "confounded.md";
  s.record = s.clean.out / "confounded.json";
  for (const auto& f : {s.table, s.record}) fs::remove(f);  // written last

  // The same synthesis with background noise: same speakers, sentences and voices, noisy recordings.
  auto noisy = preset.synth;
  noisy.noise = true;
  noisy.snr_min_db = study.snr_min_db;
  noisy.snr_max_db = study.snr_max_db;
  s.noisy_corpus = corpus_dir_for(s.clean.out, synth::run_identity(noisy));
  stage("confounded study: the noisy corpus " + s.noisy_corpus.string());
  synth::generate_corpus(s.noisy_corpus, noisy, options.progress);

  pipeline::AuditJob job;
  job.name = "demo-" + preset.name + "-confounded";
  s.run_dir = s.clean.out / "run-confounded";
  job.run_dir = s.run_dir;
  job.model_path = s.clean.model_dir.string();
  job.roles = {{"members", members_spec(s.clean.corpus_dir, s.clean.model_dir, s.run_dir), {}, 0},
               {"nonmembers", split_spec(s.noisy_corpus, "heldout"), {}, 0},
               {"aux", split_spec(s.noisy_corpus, "aux"), {}, 0}};
  job.config = preset.audit;
  job.command_line = options.command_line.empty() ? "speechleak::demo::run_confounded_study" : options.command_line;
  pipeline::AuditJobHooks hooks;
  hooks.progress = options.progress;
  hooks.before_extract = discard_stale_store;
  hooks.stage_started = [&](const std::string& what) { stage("confounded study: " + what); };
  encoder::EncoderOptions eo;
  eo.device = options.device;
  auto enc = encoder::load_encoder(s.clean.model_dir, eo);
  s.confounded = pipeline::run_audit_job(job, enc.get(), hooks).audit;

  s.markdown = table(s);
  write_text_file_atomically(s.table, s.markdown);
  auto blind = [](const audit::AuditResult& r) { return r.blind_baseline ? r.blind_baseline->to_json() : json(); };
  write_text_file_atomically(s.record, json{{"study", "confounded"},
                                            {"preset", preset.name},
                                            {"snr_db", {study.snr_min_db, study.snr_max_db}},
                                            {"clean", {{"run", s.clean.run_dir.string()},
                                                       {"blind_baseline", blind(s.clean.audit)},
                                                       {"results", results_json(s.clean.audit)}}},
                                            {"confounded", {{"run", s.run_dir.string()},
                                                            {"blind_baseline", blind(s.confounded)},
                                                            {"results", results_json(s.confounded)}}},
                                            {"command", options.command_line},
                                            {"versions", runtime::versions_json()}}
                                               .dump(2) + "\n");
  return s;
}

}  // namespace speechleak::demo
