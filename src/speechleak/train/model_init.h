#pragma once
// Building the model and head of a pretraining run from torch's generator, seeded from the run's seed.
#include <cstdint>

#include "speechleak/encoder/wav2vec2_model.h"
#include "speechleak/train/hubert_objective.h"
#include "speechleak/train/pretrain_config.h"

namespace speechleak::train {

struct PretrainModules {
  encoder::Wav2Vec2Model model{nullptr};
  HubertHead head{nullptr};
};

// Seeds torch's CPU generator with derive_seed(config.seed, "init"), builds the encoder room's Wav2Vec2Model and
// the head, and initialises the weights as HF's Wav2Vec2PreTrainedModel._init_weights does: linear weights
// N(0, 0.02) with zero bias, conv weights Kaiming-normal, the positional conv's v ~ N(0, 2/sqrt(K * D)) with
// g = ||v||, layer/group norms at (1, 0). Torch's defaults (Kaiming-uniform linears) train a transformer from
// scratch less reliably.
PretrainModules build_modules(const PretrainConfig& config, int classes);

}  // namespace speechleak::train
