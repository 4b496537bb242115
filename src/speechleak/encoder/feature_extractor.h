#pragma once
// The convolutional feature encoder of wav2vec 2.0 / HuBERT (HF Wav2Vec2FeatureEncoder) and the feature
// projection. Parameter names are HF's: conv_layers.N.conv.{weight,bias}, conv_layers.N.layer_norm.{weight,bias},
// layer_norm.*, projection.*.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "speechleak/encoder/hf_config.h"
#include "speechleak/encoder/module_util.h"

namespace speechleak::encoder {

enum class ConvNorm { None, Group, Layer };

// conv -> (GroupNorm with one group per channel | LayerNorm over channels | nothing) -> activation.
class ConvLayerImpl : public torch::nn::Module {
 public:
  ConvLayerImpl(int in_channels, int out_channels, int kernel, int stride, bool bias, ConvNorm norm,
                Activation activation);

  // x [B, C_in, T_in] -> [B, C_out, T_out]. valid_frames [B] (int64, output frames per utterance) restricts the
  // group-norm statistics to each utterance's own frames, which makes padded batches exact; undefined = all.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& valid_frames = {});

  int kernel() const { return kernel_; }
  int stride() const { return stride_; }
  void set_precision(ComputePrecision p) { precision_ = p; }

  torch::nn::Conv1d conv{nullptr};
  torch::nn::GroupNorm group_norm{nullptr};  // registered as "layer_norm" (HF's name for both kinds)
  torch::nn::LayerNorm layer_norm{nullptr};

 private:
  at::Tensor conv_forward(const at::Tensor& x);
  at::Tensor masked_group_norm(const at::Tensor& x, const at::Tensor& valid_frames);

  int kernel_, stride_;
  ConvNorm norm_;
  Activation activation_;
  ComputePrecision precision_ = ComputePrecision::F32;
};
TORCH_MODULE(ConvLayer);

struct ExtractedFeatures {
  at::Tensor features;       // [B, T', C] float32
  at::Tensor frame_lengths;  // [B] int64 valid frames per utterance
};

class FeatureExtractorImpl : public torch::nn::Module {
 public:
  explicit FeatureExtractorImpl(const Wav2Vec2Config& config);

  // waveforms [B, T] float32, lengths [B] int64 valid samples (undefined = all T).
  ExtractedFeatures forward(const at::Tensor& waveforms, const at::Tensor& lengths = {});
  // Valid output frames of conv layer `layer` (inclusive) for lengths [B] int64 samples.
  at::Tensor frames_after(const at::Tensor& lengths, size_t layer) const;
  void set_precision(ComputePrecision p);

  torch::nn::ModuleList conv_layers;

 private:
  std::vector<ConvLayer> layers_;
  bool group_mode_;
};
TORCH_MODULE(FeatureExtractor);

// [B, T', C] -> [B, T', D]: optional LayerNorm over C (absent for HuBERT with feat_proj_layer_norm=false), then a
// linear projection.
class FeatureProjectionImpl : public torch::nn::Module {
 public:
  explicit FeatureProjectionImpl(const Wav2Vec2Config& config);
  at::Tensor forward(const at::Tensor& features);
  void prepare_inference(ComputePrecision p) { prepared_.prepare({projection}, p); }
  void train(bool on = true) override;

  torch::nn::LayerNorm layer_norm{nullptr};
  torch::nn::Linear projection{nullptr};

 private:
  PreparedLinear prepared_;
};
TORCH_MODULE(FeatureProjection);

}  // namespace speechleak::encoder
