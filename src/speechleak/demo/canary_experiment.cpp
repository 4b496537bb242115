#include "speechleak/demo/canary_experiment.h"

#include "speechleak/corpus/load.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/demo/demo_cache.h"
#include "speechleak/demo/demo_record.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/synth/generator.h"
#include "speechleak/train/pretrain_reuse.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"

namespace speechleak::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The preset's corpus with canaries of `unit`: the splits are planned first, so their audio is the demo corpus's.
synth::SynthConfig canary_corpus(const DemoPreset& preset, const std::string& unit, const CanaryStudyOptions& o) {
  auto s = preset.synth;
  auto& c = s.canaries;
  c.per_speaker = unit == "speaker";
  c.count = c.per_speaker ? o.speaker_canaries : o.utterance_canaries;
  c.utts_per_speaker = o.utts_per_speaker;
  c.new_speakers = o.utterance_voices;
  c.kind = synth::CanaryKind::Sentence;
  return s;
}

// The pretrain split plus the inserted canaries (with their repeats), as one manifest.
std::string pretrain_with_canaries(const fs::path& corpus_dir, const fs::path& dir) {
  auto corpus = corpus::load_corpus(corpus::CorpusSpec::parse(split_spec(corpus_dir, "pretrain")));
  corpus.merge(corpus::load_corpus(corpus::CorpusSpec::parse("manifest:" + (corpus_dir / "canaries-inserted.tsv").string())));
  const auto path = dir / "pretrain.tsv";
  corpus::write_manifest(path, corpus);
  return "manifest:" + path.string();
}

std::string table(const CanaryStudyResult& s) {
  std::string t = "| pretraining | canaries | m (inserted) | guesses in + out | correct | epsilon lower bound (p = 0.05) "
                  "| exposure mean / max (bits, of at most) | AUC inserted vs held out |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : s.cells) {
    const auto& r = c.result;
    size_t inserted = 0;
    for (const auto& x : r.canaries) inserted += x.inserted;
    t.append("| ").append(c.defense.empty() ? "none" : "`" + c.defense + "`").append(" | ").append(r.unit)
        .append(" | ").append(std::to_string(r.counts.canaries) + " (" + std::to_string(inserted) + ")")
        .append(" | ").append(std::to_string(r.guesses_in) + " + " + std::to_string(r.guesses_out))
        .append(" | ").append(std::to_string(r.counts.correct)).append(" | ")
        .append(text::fixed(r.epsilon_lower_bound, 2)).append(" | ")
        .append(text::fixed(r.mean_exposure, 2) + " / " + text::fixed(r.max_exposure, 2) + " (" +
                text::fixed(r.exposure_ceiling, 2) + ")")
        .append(" | ").append(text::fixed(r.auc, 3)).append(" |\n");
  }
  return t;
}

}  // namespace

CanaryStudyResult run_canary_study(const DemoPreset& preset, const fs::path& out_arg, const DemoOptions& options,
                                   const CanaryStudyOptions& study) {
  if (out_arg.empty()) throw invalid_argument("--out", "a directory", "nothing");
  for (const auto& d : study.defenses)
    if (!d.empty()) {
      DemoVariant::of_defenses({d}).validate();
      if (d == "silence-names" || d == "sanitize-names")
        throw invalid_argument("--defense", "a defense that needs no name alignments (noise-augment, reverse-audio)",
                               d);
    }
  CanaryStudyResult s;
  s.out = fs::absolute(out_arg).lexically_normal();
  s.table = s.out / "canaries.md";
  s.record = s.out / "canaries.json";
  runtime::set_torch_threads(options.threads);
  fs::create_directories(s.out);
  for (const auto& f : {s.table, s.record}) fs::remove(f);  // written last
  auto stage = [&](const std::string& what) {
    if (options.on_stage) options.on_stage(what);
  };
  json cells = json::array();
  for (const std::string unit : {"utterance", "speaker"}) {
    const auto synth_config = canary_corpus(preset, unit, study);
    const auto identity = synth::run_identity(synth_config);
    const auto corpus_dir = corpus_dir_for(s.out, identity);
    stage("canaries (" + unit + "): corpus " + corpus_dir.string());
    synth::generate_corpus(corpus_dir, synth_config, options.progress);
    for (const auto& defense : study.defenses) {
      CanaryStudyCell cell{unit, defense, {}, {}, {}};
      const fs::path dir = s.out / ("canaries-" + unit + (defense.empty() ? "" : "-" + defense));
      fs::create_directories(dir);
      auto pretrain = preset.pretrain;
      pretrain.corpus = pretrain_with_canaries(corpus_dir, dir);
      apply_variant(DemoVariant::of_defenses(defense.empty() ? std::vector<std::string>{}
                                                             : std::vector<std::string>{defense}),
                    pretrain);
      pretrain.device = options.device;
      pretrain.validate();
      cell.model = s.out / "models" / model_hash(pretrain, identity);
      stage("canaries (" + unit + (defense.empty() ? "" : ", " + defense) + "): pretraining into " + cell.model.string());
      train::pretrain_or_reuse(pretrain, cell.model, train::reporting_options(options.progress, options.command_line));
      encoder::EncoderOptions eo;
      eo.device = options.device;
      auto enc = encoder::load_encoder(cell.model, eo);
      pipeline::CanaryAuditConfig ac;
      ac.guess_fraction = study.guess_fraction;
      ac.seed = preset.audit.seed;
      cell.audit_dir = dir / "audit";
      stage("canaries (" + unit + (defense.empty() ? "" : ", " + defense) + "): auditing");
      cell.result = pipeline::run_canary_audit(*enc, cell.model, corpus_dir, cell.audit_dir, ac, options.progress);
      json c = cell.result.to_json();
      c.erase("scores");
      c["unit"] = unit;
      c["defense"] = defense;
      c["model"] = cell.model.string();
      c["audit"] = cell.audit_dir.string();
      cells.push_back(c);
      s.cells.push_back(std::move(cell));
    }
  }
  s.markdown = table(s);
  write_text_file_atomically(s.table, s.markdown);
  write_text_file_atomically(s.record, json{{"study", "canaries"}, {"preset", preset.name}, {"cells", cells},
                                            {"command", options.command_line},
                                            {"versions", runtime::versions_json()}}
                                           .dump(2) + "\n");
  return s;
}

}  // namespace speechleak::demo
