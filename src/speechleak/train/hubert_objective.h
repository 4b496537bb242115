#pragma once
// The HuBERT pretraining head and loss, on top of the encoder room's Wav2Vec2Model (the SAME modules that audits
// load): feature_extractor -> feature_projection -> masked frames replaced by a learned mask embedding -> encoder
// -> head.
//
// Heads (ObjectiveConfig::head):
//  - "cosine" (HuBERT's): final_proj Linear(D, F), logits_k = cos(final_proj(h), label_emb_k) / temperature.
//  - "linear": one Linear(D, K) classifier over the last hidden state.
// Parameter names follow fairseq / HF HubertForPreTraining where they exist (masked_spec_embed, final_proj.*,
// label_embs_concat), which the encoder loader ignores as pretraining tensors.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>

#include "speechleak/encoder/wav2vec2_model.h"
#include "speechleak/train/pretrain_config.h"

namespace speechleak::train {

class HubertHeadImpl : public torch::nn::Module {
 public:
  // hidden = the encoder width D, classes = K (k-means clusters).
  HubertHeadImpl(int hidden, int classes, const ObjectiveConfig& config, int final_dim);

  // h [N, D] -> logits [N, K].
  at::Tensor logits(const at::Tensor& h);

  at::Tensor masked_spec_embed;        // [D], replaces the projected features of masked frames
  torch::nn::Linear final_proj{nullptr};
  at::Tensor label_embs_concat;        // [K, F] (cosine head only)

 private:
  bool cosine_;
  double temperature_;
};
TORCH_MODULE(HubertHead);

// One training forward pass through the encoder room's modules with HuBERT masking.
// waveforms [B, S] float32, lengths [B] int64, mask [B, T'] bool (true = replace by the mask embedding) where T'
// is the frame count of the extractor for S samples. Returns the last hidden state [B, T', D].
at::Tensor masked_forward(encoder::Wav2Vec2Model& model, HubertHead& head, const at::Tensor& waveforms,
                          const at::Tensor& lengths, const at::Tensor& mask, double feature_grad_mult);

struct ObjectiveOutput {
  at::Tensor loss;            // scalar with grad: masked CE + unmasked_weight * unmasked CE
  double masked_loss = 0;     // mean CE over masked frames
  double unmasked_loss = 0;   // mean CE over unmasked valid frames (0 when there are none)
  int64_t masked_frames = 0, masked_correct = 0;
  int64_t unmasked_frames = 0, unmasked_correct = 0;
};

// hidden [B, T', D]; targets [B, T'] int64 with -1 at padded frames; mask [B, T'] bool.
ObjectiveOutput hubert_loss(HubertHead& head, const at::Tensor& hidden, const at::Tensor& targets,
                            const at::Tensor& mask, double unmasked_weight);

}  // namespace speechleak::train
