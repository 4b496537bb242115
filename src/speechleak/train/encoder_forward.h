#pragma once
// The training forward pass through the encoder room's Wav2Vec2Model with time masking, shared by the objectives:
// feature_extractor -> (gradient scaled into the extractor) -> feature_projection -> masked frames replaced by the
// model's masked_spec_embed -> masked channels zeroed (HF's mask_feature_prob, fairseq's mask_channel_prob) ->
// encoder -> last hidden state.
#include <ATen/core/Tensor.h>

#include "speechleak/encoder/wav2vec2_model.h"

namespace speechleak::train {

// waveforms [B, S] float32, lengths [B] int64; mask [B, T'] bool (true = replace by the mask embedding) or
// undefined (no masking), where T' is the extractor's frame count for S samples. feature_grad_mult scales the
// gradient into the conv extractor (fairseq's GradMultiply; 0 = frozen, 1 = unchanged). channel_mask [B, D] bool
// (true = that channel is zeroed in every frame) or undefined. Returns [B, T', D].
at::Tensor masked_forward(encoder::Wav2Vec2Model& model, const at::Tensor& waveforms, const at::Tensor& lengths,
                          const at::Tensor& mask, double feature_grad_mult, const at::Tensor& channel_mask = {});

// The same pass with the intermediate features an objective may need besides the last hidden state.
struct ForwardParts {
  at::Tensor hidden;      // [B, T', D] the last hidden state (what masked_forward returns)
  at::Tensor features;    // [B, T', C] the conv extractor's output, after the gradient scale (wav2vec 2.0's penalty)
  at::Tensor normalized;  // [B, T', C] the same after the projection's layer norm, unmasked (HF's extract_features:
                          // the wav2vec 2.0 quantiser's input)
};
ForwardParts masked_forward_parts(encoder::Wav2Vec2Model& model, const at::Tensor& waveforms,
                                  const at::Tensor& lengths, const at::Tensor& mask, double feature_grad_mult,
                                  const at::Tensor& channel_mask = {});

}  // namespace speechleak::train
