#pragma once
// Named fine-tuning recipes (--preset of `speechleak finetune`), measured on the synthetic corpus (docs/asr.md has
// the numbers and which settings mattered). Torch-free.
#include <string>
#include <vector>

#include "speechleak/asr/finetune_config.h"

namespace speechleak::asr {

struct FinetunePreset {
  std::string name;
  std::string description;
};
std::vector<FinetunePreset> finetune_presets();
// Sets the fields the preset fixes. Throws InvalidArgument naming --preset and the valid names.
void apply_finetune_preset(const std::string& name, FinetuneConfig& config);

}  // namespace speechleak::asr
