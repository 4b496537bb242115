// Training presets: measured choices of data, model size, epochs and masking (docs/results.md has the numbers).
#include "speechleak/train/presets.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

std::vector<TrainingPreset> training_presets() {
  return {
      {"smoke", "seconds: checks that pretraining runs (tiny model, 2 epochs)",
       "speechleak synth --out corpus --seed 1"},
  };
}

void apply_training_preset(const std::string& name, PretrainConfig& c) {
  if (name == "smoke") {
    c.arch = "tiny";
    c.model = resolve_arch("tiny");
    c.epochs = 2;
    c.kmeans.clusters = 50;
    return;
  }
  std::string names;
  for (const auto& p : training_presets()) names += (names.empty() ? "" : ", ") + p.name;
  throw invalid_argument("--preset", "one of " + names, "'" + name + "'");
}

}  // namespace speechleak::train
