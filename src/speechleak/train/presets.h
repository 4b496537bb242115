#pragma once
// Named architectures (--arch) and training presets (--preset) of `speechleak pretrain` (docs/pretraining.md).
#include <string>
#include <vector>

#include "speechleak/encoder/hf_config.h"
#include "speechleak/train/pretrain_config.h"

namespace speechleak::train {

// "tiny", "mini" (the memorise preset's), "small", "base" (HuBERT base: 95M parameters, for a GPU).
std::vector<std::string> arch_preset_names();
// A preset name, or the path of an HF config.json. A preset is saved as the family of the pretraining `objective`
// ("hubert" -> model_type hubert, "wav2vec2" -> wav2vec2: the same layout; "tera" -> the same transformer on
// log-mel input, without the conv extractor); a config.json keeps its own.
// Throws InvalidArgument naming --arch and the presets.
encoder::Wav2Vec2Config resolve_arch(const std::string& arch, const std::string& objective = "hubert");

struct TrainingPreset {
  std::string name;
  std::string description;
  std::string synth_command;  // the corpus it was tuned on (documented; pretrain does not synthesise)
};
std::vector<TrainingPreset> training_presets();
// Sets the fields the preset fixes (arch, epochs, masking, optimiser, data, clusters). Throws InvalidArgument
// naming --preset and the valid names.
void apply_training_preset(const std::string& name, PretrainConfig& config);

}  // namespace speechleak::train
