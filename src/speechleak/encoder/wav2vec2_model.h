#pragma once
// The wav2vec 2.0 / HuBERT / WavLM encoder as torch::nn modules (HF Wav2Vec2Model / HubertModel / WavLMModel without
// heads), and TERA, which differs only in its front end (log-mel frames, mel_front_end.h, instead of the conv
// extractor; no projection layer norm) and its positions (sinusoidal instead of the positional convolution).
// Construction from a config is separate from loading weights (hf_loader.h), so the same modules can be
// randomly initialised and trained. Parameter names are HF's without a prefix:
//   feature_extractor.conv_layers.N.*, feature_projection.*, encoder.pos_conv_embed.*, encoder.layer_norm.*,
//   encoder.layers.N.*, masked_spec_embed (TERA: feature_projection.projection.*, encoder.layer_norm.*,
//   encoder.layers.N.*, masked_spec_embed; its front end has buffers only)
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "speechleak/encoder/feature_extractor.h"
#include "speechleak/encoder/hf_config.h"
#include "speechleak/encoder/mel_front_end.h"
#include "speechleak/encoder/module_util.h"
#include "speechleak/encoder/transformer.h"

namespace speechleak::encoder {

struct HiddenStates {
  std::vector<at::Tensor> states;  // index = state number; undefined where not kept. Each [B, T', D] float32.
  at::Tensor frame_lengths;        // [B] int64 (CPU) valid frames per utterance
};

// [B, T] bool, true where frame t >= frame_lengths[b]; on the device of `like`.
at::Tensor frame_padding_mask(const at::Tensor& frame_lengths, int64_t frames, const at::Tensor& like);

class Wav2Vec2ModelImpl : public torch::nn::Module {
 public:
  explicit Wav2Vec2ModelImpl(const Wav2Vec2Config& config);  // validates the config

  // waveforms [B, T] float32 (already normalised as the model expects), lengths [B] int64 valid samples or
  // undefined (all T). keep[s] selects state s; layers above keep.size() - 1 are not run.
  HiddenStates forward_states(const at::Tensor& waveforms, const at::Tensor& lengths, const std::vector<bool>& keep);
  // The front end: the conv extractor's features or TERA's log-mel frames, with frames per utterance.
  ExtractedFeatures extract(const at::Tensor& waveforms, const at::Tensor& lengths = {});
  // The second half of forward_states: projection and transformer over extracted features. `padded` says whether
  // the batch had lengths (then frames past each utterance's count are masked).
  HiddenStates states_from_features(const ExtractedFeatures& extracted, bool padded, const std::vector<bool>& keep);
  // The final hidden state [B, T', D] (training entry point; padded frames hold unspecified values).
  at::Tensor forward(const at::Tensor& waveforms, const at::Tensor& lengths = {});

  // eval(), then builds the inference caches (fused q/k/v, fused positional weight, bf16 copies). train(true)
  // drops them again.
  void prepare_inference(ComputePrecision p);
  const Wav2Vec2Config& config() const { return config_; }
  int64_t parameter_count() const;

  FeatureExtractor feature_extractor{nullptr};  // null for TERA
  MelFrontEnd mel_front_end{nullptr};           // TERA only
  FeatureProjection feature_projection{nullptr};
  TransformerEncoder encoder{nullptr};
  // [D] learned embedding that replaces the projected features of time-masked frames while training (HF keeps it
  // in Wav2Vec2Model too). Zeros until a trainer initialises it or a checkpoint holding it is loaded; inference
  // never reads it. Registered last, so the other parameters keep their order.
  at::Tensor masked_spec_embed;

 private:
  Wav2Vec2Config config_;
};
TORCH_MODULE(Wav2Vec2Model);

}  // namespace speechleak::encoder
