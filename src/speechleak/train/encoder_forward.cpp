#include "speechleak/train/encoder_forward.h"

#include <ATen/ATen.h>

#include <string>

#include "speechleak/encoder/safetensors.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

namespace {

std::string shape(int64_t a, int64_t b) { return encoder::shape_to_string({a, b}); }

}  // namespace

ForwardParts masked_forward_parts(encoder::Wav2Vec2Model& model, const at::Tensor& waveforms,
                                  const at::Tensor& lengths, const at::Tensor& mask, double feature_grad_mult,
                                  const at::Tensor& channel_mask) {
  ForwardParts out;
  auto extracted = model->extract(waveforms, lengths);
  out.features = extracted.features;  // [B, T', C]
  if (feature_grad_mult < 1.0) {
    // Forward unchanged, gradient into the conv extractor scaled.
    out.features = out.features * feature_grad_mult + out.features.detach() * (1.0 - feature_grad_mult);
  }
  // FeatureProjection::forward in two halves, to keep the normalised features: in training mode its projection is
  // the plain Linear (no prepared inference weights).
  auto& projection = model->feature_projection;
  out.normalized = projection->layer_norm ? projection->layer_norm->forward(out.features) : out.features;
  auto x = projection->projection->forward(out.normalized);  // [B, T', D]
  if (mask.defined()) {
    if (mask.size(0) != x.size(0) || mask.size(1) != x.size(1))
      throw invalid_argument("mask", shape(x.size(0), x.size(1)), shape(mask.size(0), mask.size(1)));
    x = at::where(mask.unsqueeze(-1), model->masked_spec_embed.view({1, 1, -1}).to(x.scalar_type()), x);
  }
  if (channel_mask.defined()) {
    if (channel_mask.size(0) != x.size(0) || channel_mask.size(1) != x.size(2))
      throw invalid_argument("channel_mask", shape(x.size(0), x.size(2)),
                             shape(channel_mask.size(0), channel_mask.size(1)));
    x = x.masked_fill(channel_mask.unsqueeze(1), 0.0);
  }
  auto padding = encoder::frame_padding_mask(extracted.frame_lengths, x.size(1), x);
  out.hidden = model->encoder->forward(x, padding);
  return out;
}

at::Tensor masked_forward(encoder::Wav2Vec2Model& model, const at::Tensor& waveforms, const at::Tensor& lengths,
                          const at::Tensor& mask, double feature_grad_mult, const at::Tensor& channel_mask) {
  return masked_forward_parts(model, waveforms, lengths, mask, feature_grad_mult, channel_mask).hidden;
}

}  // namespace speechleak::train
