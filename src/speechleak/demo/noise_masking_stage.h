#pragma once
// The demo's noise-masking stage (docs/demo.md): fine-tune the demo model into a CTC recogniser on the corpus's
// finetune split (cached next to the model, resumed when interrupted), then attack the members' utterances that
// mention a name (the pretrain split: the model's pretraining data, or what a defense left of it) against the
// non-members' (the heldout split), with the corpus's names.tsv as the inventory. Internal to the demo room.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "speechleak/demo/demo.h"

namespace speechleak::demo {

struct NoiseMaskingStageResult {
  std::filesystem::path asr_dir, run_dir;
  bool asr_reused = false;
  nlohmann::json summary;  // the run's summary.json "noise_masking"
  std::string table;       // noise_masking::format_table
  double finetune_s = 0, attack_s = 0;
};

// `run_dir` receives the noise-masking run directory (with its report.html).
NoiseMaskingStageResult run_noise_masking_stage(const DemoPreset& preset, const std::filesystem::path& corpus_dir,
                                                const std::filesystem::path& model_dir,
                                                const std::filesystem::path& run_dir, const DemoOptions& options);

}  // namespace speechleak::demo
