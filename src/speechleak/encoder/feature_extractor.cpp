#include "speechleak/encoder/feature_extractor.h"

namespace speechleak::encoder {

namespace nn = torch::nn;

ConvLayerImpl::ConvLayerImpl(int in_channels, int out_channels, int kernel, int stride, bool bias, ConvNorm norm,
                             Activation activation)
    : kernel_(kernel), stride_(stride), norm_(norm), activation_(activation) {
  conv = register_module("conv", nn::Conv1d(nn::Conv1dOptions(in_channels, out_channels, kernel)
                                                .stride(stride)
                                                .bias(bias)));
  // HF's GroupNorm and LayerNorm here use the torch default eps (1e-5), not config.layer_norm_eps.
  if (norm == ConvNorm::Group)
    group_norm = register_module("layer_norm", nn::GroupNorm(nn::GroupNormOptions(out_channels, out_channels)));
  if (norm == ConvNorm::Layer)
    layer_norm = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({out_channels})));
}

at::Tensor ConvLayerImpl::conv_forward(const at::Tensor& x) {
  if (precision_ == ComputePrecision::BF16 && !is_training()) {
    const auto& b = conv->bias;
    return at::conv1d(x.to(at::kBFloat16), conv->weight.to(at::kBFloat16),
                      b.defined() ? b.to(at::kBFloat16) : at::Tensor(), stride_)
        .to(at::kFloat);
  }
  return conv->forward(x);
}

at::Tensor ConvLayerImpl::masked_group_norm(const at::Tensor& x, const at::Tensor& valid_frames) {
  // x [B, C, T]. GroupNorm with groups == channels normalises every (utterance, channel) over time; padding
  // would enter those statistics, so a padded batch uses each utterance's valid frames only.
  const auto eps = group_norm->options.eps();
  const int64_t t = x.size(2);
  if (!valid_frames.defined() || valid_frames.min().item<int64_t>() == t)
    return group_norm->forward(x);
  auto mask = (at::arange(t, valid_frames.options()).unsqueeze(0) < valid_frames.unsqueeze(1))
                  .to(x.scalar_type())
                  .unsqueeze(1);                                           // [B, 1, T]
  auto n = valid_frames.to(x.scalar_type()).view({-1, 1, 1});              // [B, 1, 1]
  auto mean = (x * mask).sum(-1, true) / n;                                // [B, C, 1]
  auto centred = x - mean;
  auto var = (centred * centred * mask).sum(-1, true) / n;                 // biased, as GroupNorm
  auto y = centred * at::rsqrt(var + eps);
  return y * group_norm->weight.view({1, -1, 1}) + group_norm->bias.view({1, -1, 1});
}

at::Tensor ConvLayerImpl::forward(const at::Tensor& x, const at::Tensor& valid_frames) {
  auto y = conv_forward(x);  // [B, C_out, T_out]
  if (norm_ == ConvNorm::Group) y = masked_group_norm(y, valid_frames);
  if (norm_ == ConvNorm::Layer) y = layer_norm->forward(y.transpose(1, 2)).transpose(1, 2);
  return activate(y, activation_);
}

FeatureExtractorImpl::FeatureExtractorImpl(const Wav2Vec2Config& c)
    : group_mode_(c.feat_extract_norm == ExtractorNorm::Group) {
  conv_layers = register_module("conv_layers", nn::ModuleList());
  int in = 1;
  for (size_t i = 0; i < c.conv_dim.size(); ++i) {
    ConvNorm norm = group_mode_ ? (i == 0 ? ConvNorm::Group : ConvNorm::None) : ConvNorm::Layer;
    layers_.emplace_back(in, c.conv_dim[i], c.conv_kernel[i], c.conv_stride[i], c.conv_bias, norm,
                         c.feat_extract_activation);
    conv_layers->push_back(layers_.back());
    in = c.conv_dim[i];
  }
}

at::Tensor FeatureExtractorImpl::frames_after(const at::Tensor& lengths, size_t layer) const {
  auto n = lengths;
  for (size_t i = 0; i <= layer; ++i) {
    n = at::div(n - layers_[i]->kernel(), layers_[i]->stride(), "floor") + 1;
    n = at::clamp_min(n, 0);
  }
  return n;
}

ExtractedFeatures FeatureExtractorImpl::forward(const at::Tensor& waveforms, const at::Tensor& lengths) {
  auto x = waveforms.unsqueeze(1);  // [B, 1, T]
  for (size_t i = 0; i < layers_.size(); ++i) {
    // Only the group-normed first layer needs per-utterance frame counts; convolutions are local, so a valid
    // output frame never sees padding (its receptive field ends inside the utterance).
    at::Tensor valid = (group_mode_ && i == 0 && lengths.defined()) ? frames_after(lengths, 0) : at::Tensor();
    x = layers_[i]->forward(x, valid);
  }
  auto full = at::full({waveforms.size(0)}, waveforms.size(1), at::TensorOptions().dtype(at::kLong));
  auto frames = frames_after(lengths.defined() ? lengths.to(at::kLong).cpu() : full, layers_.size() - 1);
  return {x.transpose(1, 2), frames};  // [B, T', C]
}

void FeatureExtractorImpl::set_precision(ComputePrecision p) {
  for (auto& l : layers_) l->set_precision(p);
}

FeatureProjectionImpl::FeatureProjectionImpl(const Wav2Vec2Config& c) {
  const int in = c.feature_channels();
  if (c.has_feat_proj_layer_norm())
    layer_norm = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({in}).eps(c.layer_norm_eps)));
  projection = register_module("projection", nn::Linear(in, c.hidden_size));
}

at::Tensor FeatureProjectionImpl::forward(const at::Tensor& features) {
  auto x = layer_norm ? layer_norm->forward(features) : features;
  return linear(projection, prepared_, x);
}

void FeatureProjectionImpl::train(bool on) {
  if (on) prepared_.clear();  // a cache of weights that are about to change would go stale
  nn::Module::train(on);
}

}  // namespace speechleak::encoder
