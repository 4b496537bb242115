#pragma once
// `speechleak experiment noise-masking`: the noise-masking study of docs/results.md. One synthetic corpus built for
// the attack (docs/noise-masking.md, "A small-scale design"): a 20-name inventory shared by the canaries and the
// fine-tuning split, canaries spoken by the fine-tuning speakers, half inserted into pretraining and half held out
// as the control, each inserted canary rendered R times. Then, per variant, an encoder pretrained on the inserted
// canaries (the first `repeats` renderings of each) plus the fine-tuning split's audio, a CTC recogniser fine-tuned
// on the fine-tuning split, and the attack with each fill on the inserted canaries against the held-out ones.
//
//   OUT/corpus/                      the corpus (reused when identical)
//   OUT/pretrain-r<R>.tsv            pretraining manifest with R renderings per inserted canary
//   OUT/<variant>/encoder/           reused when finished, resumed when interrupted
//   OUT/<variant>/encoder/asr-<hash> the recogniser (reused / resumed likewise)
//   OUT/<variant>/attack-<fill>/     noise-masking run directories (rerun each time: seconds)
//   OUT/noise-masking-study.{md,json,html}   the table, the cells, the runs side by side (written last)
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "speechleak/asr/finetune_config.h"
#include "speechleak/demo/demo.h"
#include "speechleak/noise_masking/config.h"
#include "speechleak/synth/config.h"
#include "speechleak/train/pretrain_config.h"

namespace speechleak::demo {

struct NoiseMaskingStudyPreset {
  std::string name, description;
  synth::SynthConfig synth;        // canaries.repeats is the most any variant uses
  train::PretrainConfig pretrain;  // everything but corpus (OUT/pretrain-r<R>.tsv)
  asr::FinetuneConfig finetune;    // everything but pretrained, corpus and dev (the finetune and heldout splits)
  noise_masking::NoiseMaskConfig attack;  // fill is set per cell
  std::vector<std::string> fills;
  int repeats = 4;  // renderings of each inserted canary in pretraining, unless a variant says otherwise
};

// "study" (the docs' study: about 20-25 minutes per variant on 2 cores) and "test" (seconds; numbers mean nothing).
// Throws InvalidArgument naming --preset.
NoiseMaskingStudyPreset noise_masking_study_preset(const std::string& name);
std::vector<std::string> noise_masking_study_preset_names();

struct NoiseMaskingVariant {
  std::string name;                   // e.g. "silence-names+noise-augment", "repeats-16"
  std::vector<std::string> defenses;  // DemoVariant's defense names
  int repeats = 0;                    // 0: the preset's
};

// none, sanitize-names, silence-names, noise-augment, silence-names+noise-augment, repeats-1, repeats-16: the
// issue's comparison (no defense, each defense, silencing + MTR, target repetitions 1 / 4 (none) / 16).
std::vector<NoiseMaskingVariant> noise_masking_variants();
// Throws InvalidArgument naming --variant and listing the names.
NoiseMaskingVariant noise_masking_variant(const std::string& name);

struct NoiseMaskingCell {
  std::string variant, fill;
  std::filesystem::path encoder, recogniser, run_dir;
  nlohmann::json summary;  // the run's summary.json "noise_masking"
};

struct NoiseMaskingStudyResult {
  std::filesystem::path out, corpus_dir, table, record, report;  // report empty when it could not be written
  std::vector<NoiseMaskingCell> cells;
};

// Runs the variants (each at most once, in the order given) into `out`; throws what the stages throw. The table,
// the record and the comparison report are written last, so an interrupted study leaves none of them behind.
NoiseMaskingStudyResult run_noise_masking_study(const NoiseMaskingStudyPreset& preset,
                                                const std::vector<NoiseMaskingVariant>& variants,
                                                const std::filesystem::path& out, const DemoOptions& options = {});

// Markdown: one row per cell: exact / any-name / unmasked rates of targets and control, the gap with its Fisher p,
// the recogniser's WER / CER on the unmasked targets.
std::string format_noise_masking_study_table(const NoiseMaskingStudyResult& result);

}  // namespace speechleak::demo
