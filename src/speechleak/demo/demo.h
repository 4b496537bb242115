#pragma once
// `speechleak demo`: an end-to-end membership audit without user data (docs/demo.md).
//
//   1. corpus    OUT/corpus              synthetic speech (synth::generate_corpus; resumable, reused when identical)
//   2. model     OUT/models/<hash>/      pretraining (HuBERT; a variant's objective) on the pretrain split (reused when
//                                        finished, resumed when interrupted)
//   3. features  OUT/run/features/<role> the model's features of members (pretrain), non-members (heldout), aux
//   4. audit     OUT/run/                the run directory (docs/run-directory.md) with report.html
//   5. noise     OUT/models/<hash>/asr-<hash>/  a CTC recogniser fine-tuned from the model on the finetune split
//      masking   OUT/noise-masking/      the noise-masking run (members' named utterances vs non-members')
//                OUT/demo.json           written last: what ran, with which configs, seeds, versions and timings
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "speechleak/audit/audit.h"
#include "speechleak/demo/demo_presets.h"
#include "speechleak/util/progress.h"

namespace speechleak::demo {

struct DemoOptions {
  ProgressCallback progress;                               // every stage's loops (synthesise, pretrain, extract, ...)
  std::function<void(const std::string& stage)> on_stage;  // once per stage: "[2/4] pretraining (cached: ...) ..."
  int threads = 0;                                         // libtorch threads; 0 = all cores
  std::string device = "cpu";  // pretraining and extraction: cpu, cuda or cuda:N (a GPU model is cached apart)
  std::string command_line;                                // recorded in demo.json and the run's config.json
};

// What a run changes relative to its preset: pretraining-time defenses (a different model, cached under its own
// hash) and attacking with time-reversed audio (the seed paper's Table 4). The default variant is the plain demo.
// A variant's run directory is OUT/run-<tag> and its record OUT/demo-<tag>.json (OUT/run, OUT/demo.json without).
struct DemoVariant {
  std::vector<std::string> defenses;  // pretraining: reverse-audio, noise-augment, silence-names, sanitize-names
  bool attack_reverse_audio = false;  // extract the audited features from time-reversed waveforms
  // The pretraining objective: "" = the preset's (HuBERT); "wav2vec2" = the preset's recipe (architecture, data,
  // epochs, optimiser, defenses) with wav2vec 2.0's contrastive objective at its defaults instead, its Gumbel
  // temperature annealed over 69% of the run as the BASE recipe's is over its 400k steps; "tera" = the same recipe
  // with TERA's reconstruction objective at its defaults, the architecture's transformer on log-mel input.
  std::string objective;
  // The model-size ablation: another named architecture (train/presets.h) for the same recipe; "" = the preset's.
  std::string arch;
  // The data-size ablation: the first N speakers of the corpus's extra split (in id order) join the pretrain split's
  // speakers in the pretraining data, at the preset's step budget (epochs scaled down by the data's growth); the
  // audit's members stay the pretrain split's utterances. 0 = the pretrain split alone.
  int extra_speakers = 0;
  static DemoVariant of_defenses(std::vector<std::string> defenses);  // those defenses, nothing else
  // "" for the default; otherwise e.g. "reverse-audio", "reverse-audio+attack-reversed", "wav2vec2", "arch-small"
  // or "extra-16".
  std::string tag() const;
  // Throws InvalidArgument naming --defense (--objective, the architecture, the extra speakers) for a bad value.
  void validate() const;
};

// Applies the variant's objective and defenses to a pretraining config (the preset's own defenses stay on).
void apply_variant(const DemoVariant& variant, train::PretrainConfig& config);

struct DemoResult {
  std::filesystem::path out, corpus_dir, model_dir, run_dir, report;  // absolute; report empty when not written
  std::filesystem::path record;  // OUT/demo.json, or OUT/demo-<variant>.json
  bool corpus_reused = false, model_reused = false;
  DemoVariant variant;
  audit::AuditResult audit;
  std::filesystem::path asr_dir, noise_masking_dir;  // the recogniser; the noise-masking run (OUT/noise-masking[-tag])
  bool asr_reused = false;
  nlohmann::json noise_masking;     // its summary.json "noise_masking"
  std::string noise_masking_table;  // as `speechleak noise-mask` prints it
  nlohmann::json timings;     // seconds per stage: corpus, pretrain, features, audit, report, finetune, noise_masking, total
  std::string audit_command;  // the `speechleak audit` command line that repeats step 3-4 on this corpus and model
};

// Runs the preset into `out` (created if needed). Throws what the stages throw: InvalidArgument for a bad preset,
// speechleak::Error when OUT holds something it cannot reuse. OUT/demo.json is removed first and written last, so
// an interrupted demo never leaves a demo.json that describes another run.
DemoResult run_demo(const DemoPreset& preset, const std::filesystem::path& out, const DemoOptions& options = {},
                    const DemoVariant& variant = {});

}  // namespace speechleak::demo
