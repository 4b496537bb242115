#include "speechleak/demo/calibrated_experiment.h"

#include <chrono>

#include "speechleak/audit/calibrated_attacks.h"
#include "speechleak/demo/demo_cache.h"
#include "speechleak/demo/demo_record.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/pipeline/audit_pipeline.h"
#include "speechleak/references/reference_runs.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"

namespace speechleak::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double recorded_training_seconds(const references::ReferenceSet& set) {
  double total = 0;
  for (size_t r = 0; r < set.runs(); ++r) {
    const auto path = set.run_dir(r) / "speechleak_pretraining.json";
    if (!fs::exists(path)) continue;
    const auto meta = json::parse(read_text_file(path), nullptr, false);
    if (meta.is_object()) total += meta.value("training", json::object()).value("wall_seconds", 0.0);
  }
  return total;
}

std::string minutes(double s) { return text::fixed(s / 60.0, 1) + " min"; }

std::string cost_cell(const audit::AttackResult& r, const CalibratedStudyResult& s) {
  if (r.attack == "basic") return "none";
  if (r.attack == "improved") return "attacker networks on the aux set";
  if (r.attack == "quantile") return "no reference run (audio descriptors of the aux set)";
  if (r.attack == "loss") return "none (the model's own pretraining head)";
  return std::to_string(s.runs) + " reference runs (" + minutes(s.reference_train_s) +
         " of training, summed over runs), scored with the target";
}

std::string table(const CalibratedStudyResult& s) {
  std::string t = "| level | attack | AUC [95% CI] | TPR@1% FPR | TPR@0.1% FPR | n+/n- | cost |\n"
                  "|---|---|---|---|---|---|---|\n";
  std::vector<std::pair<std::string, const audit::AttackResult*>> rows;
  for (const auto& r : s.audit.results)
    rows.emplace_back(r.attack + (r.details.value("signal", "") == "pretext" && r.attack != "loss" ? " (pretext signal)" : ""), &r);
  for (const auto& r : s.basic_signal.results) rows.emplace_back(r.attack + " (basic signal)", &r);
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second->level > b.second->level; });
  for (const auto& [name, rp] : rows) {
    const auto& r = *rp;
    t.append("| ").append(r.level).append(" | ").append(name).append(" | ")
        .append(audit::format_auc(r.metrics, 3, 3)).append(" | ").append(text::fixed(r.metrics.one_fpr, 3))
        .append(" | ").append(text::fixed(r.metrics.one_tenth_fpr, 3)).append(" | ")
        .append(std::to_string(r.metrics.n_members) + "/" + std::to_string(r.metrics.n_nonmembers)).append(" | ")
        .append(cost_cell(r, s)).append(" |\n");
  }
  return t;
}

}  // namespace

CalibratedStudyResult run_calibrated_study(const DemoPreset& preset, const fs::path& out, const DemoOptions& options,
                                           const CalibratedStudyOptions& study) {
  CalibratedStudyResult s;
  s.runs = study.runs;
  auto stage = [&](const std::string& what) {
    if (options.on_stage) options.on_stage(what);
  };
  stage("calibrated study: the target (the demo, preset " + preset.name + ")");
  s.target = run_demo(preset, out, options);
  s.table = s.target.out / "calibrated.md";
  s.record = s.target.out / "calibrated.json";
  for (const auto& f : {s.table, s.record}) fs::remove(f);  // written last

  references::ReferencesConfig rc;
  rc.recipe = s.target.model_dir.string();
  rc.candidates = "librispeech:" + s.target.corpus_dir.string() + ":pretrain,heldout";
  rc.runs = study.runs;
  rc.unit = references::Unit::Speaker;  // the target's members are whole speakers
  rc.population_fraction = 0;           // half the candidate speakers: the target's data size
  rc.seed = study.seed;
  rc.device = options.device;
  s.references = s.target.out / ("references-" + s.target.model_dir.filename().string() + "-runs" +
                                 std::to_string(study.runs) + "-seed" + std::to_string(study.seed));
  stage("calibrated study: " + std::to_string(study.runs) + " reference encoders into " + s.references.string());
  references::ReferencesOptions ro;
  ro.progress = options.progress;
  ro.command_line = options.command_line;
  ro.on_run = [&](size_t run, size_t runs, const std::string& what) {
    stage("reference run " + std::to_string(run + 1) + " of " + std::to_string(runs) + ": " + what);
  };
  const auto refs = references::train_references(rc, s.references, ro);
  s.reference_train_s = recorded_training_seconds(refs.set);

  // Two audits against the same references: the signal `auto` picks (the pretext probability: speechleak's own
  // models keep their pretraining head) and the model-agnostic basic score (what any checkpoint allows).
  encoder::EncoderOptions eo;
  eo.device = options.device;
  auto enc = encoder::load_encoder(s.target.model_dir, eo);
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::string signal : {"auto", "basic"}) {
    pipeline::AuditJob job;
    const bool basic = signal == "basic";
    job.name = "demo-" + preset.name + "-calibrated" + (basic ? "-basic-signal" : "");
    job.run_dir = s.target.out / (basic ? "run-calibrated-basic-signal" : "run-calibrated");
    job.model_path = s.target.model_dir.string();
    job.roles = {{"members", members_spec(s.target.corpus_dir, s.target.model_dir, job.run_dir), {}, 0},
                 {"nonmembers", split_spec(s.target.corpus_dir, "heldout"), {}, 0},
                 {"aux", split_spec(s.target.corpus_dir, "aux"), {}, 0}};
    job.config = preset.audit;
    job.config.calibrated.signal = signal;
    job.config.attacks = basic ? std::vector<std::string>{} : std::vector<std::string>{"basic", "improved", "quantile"};
    for (const auto& a : audit::calibrated_attack_names())
      if (!basic || a != "loss") job.config.attacks.push_back(a);
    job.references = s.references;
    job.command_line = options.command_line.empty() ? "speechleak::demo::run_calibrated_study" : options.command_line;
    pipeline::AuditJobHooks hooks;
    hooks.progress = options.progress;
    hooks.before_extract = discard_stale_store;
    hooks.stage_started = [&](const std::string& what) { stage("calibrated study (" + signal + " signal): " + what); };
    auto result = pipeline::run_audit_job(job, enc.get(), hooks);
    if (basic) {
      s.basic_signal = std::move(result.audit);
    } else {
      s.run_dir = job.run_dir;
      s.audit = std::move(result.audit);
      if (result.report) s.report = *result.report;
    }
  }
  s.audit_s = seconds_since(t0);

  s.markdown = table(s);
  write_text_file_atomically(s.table, s.markdown);
  const json record = {{"study", "calibrated"},
                       {"preset", preset.name},
                       {"model", s.target.model_dir.string()},
                       {"references", s.references.string()},
                       {"reference_runs", s.runs},
                       {"reference_seed", study.seed},
                       {"reference_train_seconds", s.reference_train_s},
                       {"audit_seconds", s.audit_s},
                       {"run", s.run_dir.string()},
                       {"results", results_json(s.audit)},
                       {"results_basic_signal", results_json(s.basic_signal)},
                       {"command", options.command_line},
                       {"versions", runtime::versions_json()}};
  write_text_file_atomically(s.record, record.dump(2) + "\n");
  log_info("calibrated study: " + s.table.string());
  return s;
}

}  // namespace speechleak::demo
