#pragma once
// Positions: the convolutional positional embedding of the wav2vec 2.0 family, and TERA's sinusoid table.
//
// Convolutional positional embedding (HF Wav2Vec2PositionalConvEmbedding): a grouped Conv1d over time whose
// weight is weight-normalised over dim 2 (the kernel axis), "same" padding of kernel/2 with the last output frame
// dropped when the kernel size is even, then the feature-extractor activation. Parameter names are HF's:
// conv.weight_g [1, 1, K], conv.weight_v [D, D/groups, K], conv.bias [D].
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "speechleak/encoder/hf_config.h"
#include "speechleak/encoder/module_util.h"

namespace speechleak::encoder {

// Conv1d with weight = weight_g * weight_v / ||weight_v||, the norm taken over every dim except 2.
class WeightNormConv1dImpl : public torch::nn::Module {
 public:
  WeightNormConv1dImpl(int channels, int kernel, int groups);
  // x [B, D, T] -> [B, D, T + 2 * (K / 2) - K + 1]
  at::Tensor forward(const at::Tensor& x);
  // The effective (fused) weight [D, D/groups, K].
  at::Tensor fused_weight() const;
  // Sets g and v from a fused weight so that fused_weight() reproduces it: v = w, g = ||w|| over dims != 2.
  void set_from_fused(const at::Tensor& weight);

  at::Tensor weight_g, weight_v, bias;
  void prepare_inference(ComputePrecision p);
  void train(bool on = true) override;

 private:
  int kernel_, groups_;
  at::Tensor prepared_weight_, prepared_bias_;
};
TORCH_MODULE(WeightNormConv1d);

class PositionalConvEmbeddingImpl : public torch::nn::Module {
 public:
  explicit PositionalConvEmbeddingImpl(const Wav2Vec2Config& config);
  // x [B, T, D] -> the embedding [B, T, D] (the caller adds it to x).
  at::Tensor forward(const at::Tensor& x);

  WeightNormConv1d conv{nullptr};

 private:
  bool drop_last_;
  Activation activation_;
};
TORCH_MODULE(PositionalConvEmbedding);

// TERA's positions (s3prl's sinusoid table): [frames, width], row t = (sin(t / 10000^(2i / width)),
// cos(t / 10000^(2i / width))) at columns 2i and 2i + 1 (computed in double, as s3prl's numpy table), in `options`.
at::Tensor sinusoidal_positions(int64_t frames, int64_t width, const at::TensorOptions& options);

}  // namespace speechleak::encoder
