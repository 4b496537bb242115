#pragma once
// The transformer of wav2vec 2.0 / HuBERT / WavLM (HF Wav2Vec2Encoder, Wav2Vec2EncoderStableLayerNorm and their WavLM
// counterparts). Parameter names are HF's: pos_conv_embed.*, layer_norm.*, layers.N.attention.{q,k,v,out}_proj.*,
// layers.N.layer_norm.*, layers.N.feed_forward.{intermediate_dense,output_dense}.*, layers.N.final_layer_norm.*;
// WavLM adds layers.N.attention.gru_rel_pos_{const,linear.*} and layers.0.attention.rel_attn_embed.weight.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "speechleak/encoder/hf_config.h"
#include "speechleak/encoder/module_util.h"
#include "speechleak/encoder/positional.h"

namespace speechleak::encoder {

// WavLM's relative position bias (HF WavLMAttention): every layer gates a bias that layer 0 computes.
struct RelativePositionBias {
  bool gated = false;      // gru_rel_pos_const, gru_rel_pos_linear: this layer gates the bias
  bool embedding = false;  // rel_attn_embed: this layer computes the bias (layer 0)
  int num_buckets = 0;
  int max_distance = 0;
};

class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int embed_dim, int num_heads, const RelativePositionBias& relative = {});
  // x [B, T, D]; additive_mask [B, 1, 1, T] (0 for real frames, a large negative value for padding) or undefined;
  // position_bias [1, H, T, T] (WavLM, from position_bias()) or undefined.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& additive_mask = {}, const at::Tensor& position_bias = {});
  // The ungated relative position bias [1, H, T, T] for T frames (the layer with the embedding only).
  at::Tensor position_bias(int64_t frames);
  // Fuses q/k/v into one [3D, D] matrix (one matmul instead of three) and casts for bf16.
  void prepare_inference(ComputePrecision p);
  void train(bool on = true) override;

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
  torch::nn::Linear gru_rel_pos_linear{nullptr};  // WavLM
  at::Tensor gru_rel_pos_const;                  // WavLM [1, H, 1, 1]
  torch::nn::Embedding rel_attn_embed{nullptr};  // WavLM, layer 0

 private:
  // The bias scaled per head and query frame by a gate computed from x (HF's "gru" gate).
  at::Tensor gate(const at::Tensor& x, const at::Tensor& position_bias);

  int heads_, head_dim_;
  RelativePositionBias relative_;
  ComputePrecision precision_ = ComputePrecision::F32;
  PreparedLinear qkv_, out_;
};
TORCH_MODULE(SelfAttention);

class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int embed_dim, int intermediate, Activation activation);
  at::Tensor forward(const at::Tensor& x);  // [B, T, D] -> [B, T, D]
  void prepare_inference(ComputePrecision p);
  void train(bool on = true) override;

  torch::nn::Linear intermediate_dense{nullptr}, output_dense{nullptr};

 private:
  Activation activation_;
  PreparedLinear in_, out_;
};
TORCH_MODULE(FeedForward);

// Post-norm (base): x = LN(x + attn(x)); x = FLN(x + ff(x)).
// Pre-norm (stable layer norm): x = x + attn(LN(x)); x = x + ff(FLN(x)).
class EncoderLayerImpl : public torch::nn::Module {
 public:
  EncoderLayerImpl(const Wav2Vec2Config& config, int index = 0);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& additive_mask = {}, const at::Tensor& position_bias = {});
  void prepare_inference(ComputePrecision p);

  SelfAttention attention{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  FeedForward feed_forward{nullptr};
  torch::nn::LayerNorm final_layer_norm{nullptr};

 private:
  bool pre_norm_;
};
TORCH_MODULE(EncoderLayer);

class TransformerEncoderImpl : public torch::nn::Module {
 public:
  explicit TransformerEncoderImpl(const Wav2Vec2Config& config);

  // x [B, T, D] projected features; padding [B, T] bool (true = padded frame) or undefined.
  // Returns the hidden states 0..max_state in the HF / s3prl convention (state 0 = input of layer 1, state L =
  // final output, after the final layer norm for stable-layer-norm models). States with keep[s] == false are
  // returned undefined; layers above max_state are not run. keep.size() must be max_state + 1.
  std::vector<at::Tensor> forward_states(const at::Tensor& x, const at::Tensor& padding,
                                         const std::vector<bool>& keep);
  // The final output [B, T, D] (state L), for training.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& padding = {});
  void prepare_inference(ComputePrecision p);
  int num_layers() const { return static_cast<int>(layers_.size()); }

  PositionalConvEmbedding pos_conv_embed{nullptr};  // null for TERA: sinusoidal_positions()
  torch::nn::LayerNorm layer_norm{nullptr};
  torch::nn::ModuleList layers;

 private:
  bool stable_;
  std::vector<EncoderLayer> layers_;
};
TORCH_MODULE(TransformerEncoder);

}  // namespace speechleak::encoder
