#include "speechleak/encoder/wav2vec2_model.h"

namespace speechleak::encoder {

at::Tensor frame_padding_mask(const at::Tensor& frame_lengths, int64_t frames, const at::Tensor& like) {
  auto lengths = frame_lengths.to(like.device());
  return at::arange(frames, lengths.options()).unsqueeze(0) >= lengths.unsqueeze(1);
}

Wav2Vec2ModelImpl::Wav2Vec2ModelImpl(const Wav2Vec2Config& config) : config_(config) {
  config_.validate();
  if (config_.is_tera())
    mel_front_end = register_module("mel_front_end", MelFrontEnd(config_.mel));
  else
    feature_extractor = register_module("feature_extractor", FeatureExtractor(config_));
  feature_projection = register_module("feature_projection", FeatureProjection(config_));
  encoder = register_module("encoder", TransformerEncoder(config_));
  masked_spec_embed = register_parameter("masked_spec_embed", at::zeros({config_.hidden_size}));
}

HiddenStates Wav2Vec2ModelImpl::forward_states(const at::Tensor& waveforms, const at::Tensor& lengths,
                                               const std::vector<bool>& keep) {
  return states_from_features(extract(waveforms, lengths), lengths.defined(), keep);
}

ExtractedFeatures Wav2Vec2ModelImpl::extract(const at::Tensor& waveforms, const at::Tensor& lengths) {
  return mel_front_end ? mel_front_end->forward(waveforms, lengths) : feature_extractor->forward(waveforms, lengths);
}

HiddenStates Wav2Vec2ModelImpl::states_from_features(const ExtractedFeatures& extracted, bool padded,
                                                     const std::vector<bool>& keep) {
  auto x = feature_projection->forward(extracted.features);  // [B, T', D]
  at::Tensor padding;
  if (padded) padding = frame_padding_mask(extracted.frame_lengths, x.size(1), x);
  return {encoder->forward_states(x, padding, keep), extracted.frame_lengths};
}

at::Tensor Wav2Vec2ModelImpl::forward(const at::Tensor& waveforms, const at::Tensor& lengths) {
  std::vector<bool> keep(config_.num_hidden_layers + 1, false);
  keep.back() = true;
  return forward_states(waveforms, lengths, keep).states.back();
}

void Wav2Vec2ModelImpl::prepare_inference(ComputePrecision p) {
  eval();
  at::NoGradGuard no_grad;
  if (feature_extractor) feature_extractor->set_precision(p);
  feature_projection->prepare_inference(p);
  encoder->prepare_inference(p);
}

int64_t Wav2Vec2ModelImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace speechleak::encoder
