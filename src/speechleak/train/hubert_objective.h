#pragma once
// HuBERT masked prediction, the first training objective (objective.h): span-masked frames (masking.h) are
// replaced by the encoder's masked_spec_embed, and a head predicts each masked frame's k-means target
// (targets.h) from the last hidden state.
//
// Heads (HubertHeadConfig::head):
//  - "cosine" (HuBERT's): final_proj Linear(D, F), logits_k = cos(final_proj(h), label_emb_k) / temperature.
//  - "linear": one Linear(D, K) classifier over the last hidden state.
// Parameter names follow fairseq / HF HubertForPreTraining (final_proj.*, label_embs_concat), which the encoder
// loader ignores as pretraining tensors. Log columns: masked_loss, masked_accuracy, unmasked_accuracy | masked_frames.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>

#include "speechleak/train/hubert_config.h"
#include "speechleak/train/objective.h"
#include "speechleak/train/targets.h"

namespace speechleak::train {

class HubertHeadImpl : public torch::nn::Module {
 public:
  // hidden = the encoder width D, classes = K (k-means clusters).
  HubertHeadImpl(int hidden, int classes, const HubertHeadConfig& config, int final_dim);

  // h [N, D] -> logits [N, K].
  at::Tensor logits(const at::Tensor& h);

  torch::nn::Linear final_proj{nullptr};
  at::Tensor label_embs_concat;  // [K, F] (cosine head only)

 private:
  bool cosine_;
  double temperature_;
};
TORCH_MODULE(HubertHead);

struct HubertLoss {
  at::Tensor loss;            // scalar with grad: masked CE + unmasked_weight * unmasked CE
  double masked_loss = 0;     // mean CE over masked frames
  double unmasked_loss = 0;   // mean CE over unmasked valid frames (0 when there are none)
  int64_t masked_frames = 0, masked_correct = 0;
  int64_t unmasked_frames = 0, unmasked_correct = 0;
};

// hidden [B, T', D]; targets [B, T'] int64 with -1 at padded frames; mask [B, T'] bool.
HubertLoss hubert_loss(HubertHead& head, const at::Tensor& hidden, const at::Tensor& targets, const at::Tensor& mask,
                       double unmasked_weight);

class HubertObjective : public Objective {
 public:
  // `classes` = the number of target classes; `seed` = the run's seed (mask draws: "mask/<epoch>/<utt>").
  HubertObjective(const HubertConfig& config, uint64_t seed, int classes);
  // With the fitted targets, whose summary joins the metadata.
  HubertObjective(const HubertConfig& config, uint64_t seed, const TargetModel& targets);

  std::string name() const override { return "hubert"; }
  void build(const encoder::Wav2Vec2Config& model) override;
  std::vector<NamedModule> heads() const override { return {{"head", head_.ptr()}}; }
  LabelLayout label_layout() const override { return LabelLayout::Frames; }
  void prepare(Batch& batch, int epoch) const override;
  ObjectiveLoss loss(encoder::Wav2Vec2Model& model, const Batch& batch) override;
  std::vector<std::string> metric_columns() const override;
  std::vector<std::string> count_columns() const override;
  nlohmann::json metadata() const override;
  // HuBERT's head tensors under fairseq / HF names with no prefix: final_proj.*, label_embs_concat.
  std::vector<std::pair<std::string, at::Tensor>> head_tensors() const override;

  HubertHead& head() { return head_; }

 private:
  HubertConfig config_;
  uint64_t seed_;
  int classes_;
  nlohmann::json targets_;  // summary of the fitted targets, or null
  encoder::Wav2Vec2Config model_;
  HubertHead head_{nullptr};
};

}  // namespace speechleak::train
