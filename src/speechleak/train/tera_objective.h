#pragma once
// TERA's objective (Liu, Li, Lee 2021, "TERA: Self-Supervised Learning of Transformer Encoder Representation for
// Speech"; s3prl pretrain/mockingjay/task.py), the third pretraining objective (objective.h), for TERA models
// (model_type "tera": log-mel input). The input frames are altered along time (spans zeroed, replaced by other frames
// of the utterance, or kept), frequency (a band of mel channels zeroed) and magnitude (Gaussian noise); a prediction
// head (s3prl's SpecHead: dense, activation, layer norm, output) reconstructs the clean log-mel frames from the last
// hidden state, and the loss is the L1 distance over the time-altered frames and the zeroed band.
//
// Every draw is a function of (seed, epoch, utterance id): the time spans from "mask/<epoch>/<id>" (masking.h), the
// rest from "tera/<epoch>/<id>". s3prl draws the noise once per batch; here once per utterance, so that an
// utterance's alteration does not depend on its batch neighbours.
//
// Head tensors: SpecHead.{dense,LayerNorm,output}.* (s3prl's names), which the encoder loader ignores. Log columns:
// reconstruction_loss, unaltered_l1 | altered_frames, altered_values.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/train/objective.h"
#include "speechleak/train/tera_config.h"

namespace speechleak::train {

class SpecHeadImpl : public torch::nn::Module {
 public:
  SpecHeadImpl(const encoder::Wav2Vec2Config& model);
  at::Tensor forward(const at::Tensor& hidden);  // [..., D] -> [..., n_mels]

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};  // registered as "LayerNorm"
  torch::nn::Linear output{nullptr};

 private:
  encoder::Activation activation_;
};
TORCH_MODULE(SpecHead);

// The alterations of one batch (prepare()), kept in Batch::extras under these names.
struct TeraAlteration {
  at::Tensor source;  // [B, T] int64: the frame each input frame is read from (itself unless replaced)
  at::Tensor zeroed;  // [B, T] bool: time-altered frames set to zero
  at::Tensor bands;   // [B, n_mels] bool: the zeroed frequency band
  at::Tensor noise;   // [B, T, n_mels] float32 added to the input (zeros where no noise was drawn)
};

// Applies `a` to clean features [B, T, n_mels] of which frame_lengths [B] are valid; padded frames stay zero.
at::Tensor alter_features(const at::Tensor& clean, const at::Tensor& frame_lengths, const TeraAlteration& a);

class TeraObjective : public Objective {
 public:
  TeraObjective(const TeraConfig& config, uint64_t seed);

  std::string name() const override { return "tera"; }
  void build(const encoder::Wav2Vec2Config& model) override;
  std::vector<NamedModule> heads() const override;
  LabelLayout label_layout() const override { return LabelLayout::Frames; }  // no labels; crops on frames
  void prepare(Batch& batch, int epoch) const override;
  ObjectiveLoss loss(encoder::Wav2Vec2Model& model, const Batch& batch) override;
  std::vector<std::string> metric_columns() const override;
  std::vector<std::string> count_columns() const override;
  nlohmann::json metadata() const override;

  // The alterations prepare() stored in `batch`.
  static TeraAlteration alteration(const Batch& batch);

  SpecHead head{nullptr};

 private:
  TeraConfig config_;
  uint64_t seed_;
  encoder::Wav2Vec2Config model_;
};

}  // namespace speechleak::train
