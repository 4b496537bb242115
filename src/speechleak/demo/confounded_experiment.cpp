#include "speechleak/demo/confounded_experiment.h"

#include <set>

#include "speechleak/corpus/load.h"
#include "speechleak/corpus/tsv_manifest.h"
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
  metrics::MetricsSummary auc;
  auc.auc = b.auc;
  auc.auc_interval = b.interval;
  std::string s = audit::format_auc(auc, 3, 3);
  return b.confounded ? s + " **confounded**" : s;
}

const audit::AttackResult* find(const audit::AuditResult& r, const std::string& level, const std::string& attack) {
  for (const auto& a : r.results)
    if (a.level == level && a.attack == attack) return &a;
  return nullptr;
}

std::string table(const ConfoundedStudyResult& s) {
  const std::vector<const audit::AuditResult*> runs{&s.clean.audit, &s.paper, &s.null_model};
  std::string t = "| level | attack | clean split: AUC [95% CI] | the paper's split | the paper's split, model never "
                  "trained on the \"members\" |\n|---|---|---|---|---|\n| | blind baseline (no model) |";
  for (const auto* r : runs) t.append(" ").append(blind_cell(*r)).append(" |");
  t.append("\n");
  for (const auto& a : s.clean.audit.results) {
    t.append("| ").append(a.level).append(" | ").append(a.attack).append(" |");
    for (const auto* r : runs) {
      const auto* x = find(*r, a.level, a.attack);
      t.append(" ").append(x ? audit::format_auc(x->metrics, 3, 3) : std::string("-")).append(" |");
    }
    t.append("\n");
  }
  return t;
}

// The pool of the paper's split: the aux split's speakers, every other one (sorted ids) from the noisy synthesis.
fs::path write_pool(const fs::path& clean_corpus, const fs::path& noisy_corpus, const fs::path& dir) {
  auto clean = corpus::load_corpus(corpus::CorpusSpec::parse(split_spec(clean_corpus, "aux")));
  auto noisy = corpus::load_corpus(corpus::CorpusSpec::parse(split_spec(noisy_corpus, "aux")));
  const auto speakers = clean.speaker_ids();
  std::set<std::string> noisy_speakers;
  for (size_t i = 1; i < speakers.size(); i += 2) noisy_speakers.insert(speakers[i]);
  std::erase_if(clean.utterances, [&](const corpus::Utterance& u) { return noisy_speakers.count(u.speaker_id) > 0; });
  std::erase_if(noisy.utterances, [&](const corpus::Utterance& u) { return !noisy_speakers.count(u.speaker_id); });
  clean.speakers.clear();
  clean.finalize();
  clean.merge(noisy);
  const auto path = dir / "pool.tsv";
  fs::create_directories(dir);
  corpus::write_manifest(path, clean);
  return path;
}

audit::AuditResult audit_split(const DemoPreset& preset, const ConfoundedStudyResult& s, const std::string& name,
                               const std::string& members, encoder::Encoder& enc, const DemoOptions& options) {
  pipeline::AuditJob job;
  job.name = "demo-" + preset.name + "-" + name;
  job.run_dir = s.clean.out / ("run-" + name);
  job.model_path = s.clean.model_dir.string();
  const std::string pool = "manifest:" + s.pool.string();
  job.roles = {{"members", members, {}, 0}, {"nonmembers", pool, {}, 0}, {"aux", pool, {}, 0}};
  job.config = preset.audit;
  job.command_line = options.command_line.empty() ? "speechleak::demo::run_confounded_study" : options.command_line;
  pipeline::AuditJobHooks hooks;
  hooks.progress = options.progress;
  hooks.before_extract = discard_stale_store;
  hooks.stage_started = [&](const std::string& what) {
    if (options.on_stage) options.on_stage("confounded study (" + name + "): " + what);
  };
  return pipeline::run_audit_job(job, &enc, hooks).audit;
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
  s.pool = write_pool(s.clean.corpus_dir, s.noisy_corpus, s.clean.out / "confounded");

  encoder::EncoderOptions eo;
  eo.device = options.device;
  auto enc = encoder::load_encoder(s.clean.model_dir, eo);
  s.paper = audit_split(preset, s, "confounded-paper", members_spec(s.clean.corpus_dir, s.clean.model_dir,
                                                                   s.clean.out / "run-confounded-paper"),
                        *enc, options);
  s.null_model = audit_split(preset, s, "confounded-null", split_spec(s.clean.corpus_dir, "heldout"), *enc, options);

  s.markdown = table(s);
  write_text_file_atomically(s.table, s.markdown);
  auto record = [](const audit::AuditResult& r, const fs::path& run) {
    return json{{"run", run.string()},
                {"blind_baseline", r.blind_baseline ? r.blind_baseline->to_json() : json()},
                {"results", results_json(r)}};
  };
  write_text_file_atomically(s.record, json{{"study", "confounded"},
                                            {"preset", preset.name},
                                            {"snr_db", {study.snr_min_db, study.snr_max_db}},
                                            {"pool", s.pool.string()},
                                            {"clean", record(s.clean.audit, s.clean.run_dir)},
                                            {"paper", record(s.paper, s.clean.out / "run-confounded-paper")},
                                            {"null", record(s.null_model, s.clean.out / "run-confounded-null")},
                                            {"command", options.command_line},
                                            {"versions", runtime::versions_json()}}
                                               .dump(2) + "\n");
  return s;
}

}  // namespace speechleak::demo
