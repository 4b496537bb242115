#include "speechleak/train/encoder_forward.h"

#include <ATen/ATen.h>

#include <string>

#include "speechleak/util/error.h"

namespace speechleak::train {

at::Tensor masked_forward(encoder::Wav2Vec2Model& model, const at::Tensor& waveforms, const at::Tensor& lengths,
                          const at::Tensor& mask, double feature_grad_mult, const at::Tensor& channel_mask) {
  auto extracted = model->feature_extractor->forward(waveforms, lengths);
  auto features = extracted.features;  // [B, T', C]
  if (feature_grad_mult < 1.0) {
    // Forward unchanged, gradient into the conv extractor scaled.
    features = features * feature_grad_mult + features.detach() * (1.0 - feature_grad_mult);
  }
  auto x = model->feature_projection->forward(features);  // [B, T', D]
  if (mask.defined()) {
    if (mask.size(0) != x.size(0) || mask.size(1) != x.size(1))
      throw invalid_argument("mask", "[" + std::to_string(x.size(0)) + ", " + std::to_string(x.size(1)) + "]",
                             "[" + std::to_string(mask.size(0)) + ", " + std::to_string(mask.size(1)) + "]");
    x = at::where(mask.unsqueeze(-1), model->masked_spec_embed.view({1, 1, -1}).to(x.scalar_type()), x);
  }
  if (channel_mask.defined()) {
    if (channel_mask.size(0) != x.size(0) || channel_mask.size(1) != x.size(2))
      throw invalid_argument("channel_mask", "[" + std::to_string(x.size(0)) + ", " + std::to_string(x.size(2)) + "]",
                             "[" + std::to_string(channel_mask.size(0)) + ", " + std::to_string(channel_mask.size(1)) +
                                 "]");
    x = x.masked_fill(channel_mask.unsqueeze(1), 0.0);
  }
  auto padding = encoder::frame_padding_mask(extracted.frame_lengths, x.size(1), x);
  return model->encoder->forward(x, padding);
}

}  // namespace speechleak::train
