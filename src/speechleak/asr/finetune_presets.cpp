#include "speechleak/asr/finetune_presets.h"

#include "speechleak/util/error.h"

namespace speechleak::asr {

std::vector<FinetunePreset> finetune_presets() {
  return {
      {"smoke", "seconds: checks that fine-tuning runs (2 epochs)"},
      {"synthetic", "~8 minutes on 2 cores for 32 min of audio: 16 epochs, batch 2, lr 2e-3; dev CER 53% from "
                    "the quick demo's encoder, 100% from a random one (docs/asr.md)"},
  };
}

void apply_finetune_preset(const std::string& name, FinetuneConfig& c) {
  if (name == "smoke") {
    c.epochs = 2;
    c.optim.lr = 1e-3;
    c.data.batch_size = 4;
    return;
  }
  if (name == "synthetic") {
    // Each choice and what it did is in docs/asr.md ("Presets").
    c.epochs = 16;
    c.optim.lr = 2e-3;
    c.data.batch_size = 2;  // more updates per second of audio: batch 8 stayed on the blank plateau for 300 steps
    c.ctc.freeze_steps = 0;
    c.ctc.mask_time_prob = 0.05;
    c.ctc.mask_channel_prob = 0.0;
    c.ctc.final_dropout = 0.0;
    return;
  }
  std::string names;
  for (const auto& p : finetune_presets()) names += (names.empty() ? "" : ", ") + p.name;
  throw invalid_argument("--preset", "one of " + names, "'" + name + "'");
}

}  // namespace speechleak::asr
