#pragma once
// A freshly initialised encoder for training from scratch, drawn from torch's generator (the trainer forks it,
// seeded with derive_seed(seed, "init"): runtime/torch_rng.h).
#include "speechleak/encoder/wav2vec2_model.h"

namespace speechleak::train {

// Builds the encoder room's Wav2Vec2Model and initialises it as HF's Wav2Vec2PreTrainedModel._init_weights does:
// linear weights N(0, 0.02) with zero bias, conv weights Kaiming-normal, the positional conv's
// v ~ N(0, 2/sqrt(K * D)) with g = ||v||, layer/group norms at (1, 0); then masked_spec_embed ~ U[0, 1) (fairseq's
// mask_emb). TERA (s3prl's init_Transformer_weights) is the same without the convolutions: linears N(0, 0.02). Torch's defaults (Kaiming-uniform linears) train a transformer from scratch less reliably.
encoder::Wav2Vec2Model init_encoder_model(const encoder::Wav2Vec2Config& config);

}  // namespace speechleak::train
