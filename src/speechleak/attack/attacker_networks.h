#pragma once
// The attacker networks of the improved attacks (Tseng et al.; architecture as in the authors' code), with a
// correct padding mask: padded frames get -inf attention logits (the authors' code added the boolean mask, +1).
//
// Shapes: frames [B, T, D] float, mask [B, T] bool (true = real frame), outputs [B] logits.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace speechleak::attack {

// softmax over frames of Linear(D, 1) logits; returns the attention-weighted mean [B, D].
class AttentivePoolingImpl : public torch::nn::Module {
 public:
  explicit AttentivePoolingImpl(int64_t dim);
  at::Tensor forward(const at::Tensor& frames, const at::Tensor& mask);

 private:
  torch::nn::Linear score_{nullptr};
};
TORCH_MODULE(AttentivePooling);

// f_uttr: pooling -> Linear(D, D) -> Dropout -> ReLU -> Linear(D, 1).
class UtteranceAttackerImpl : public torch::nn::Module {
 public:
  UtteranceAttackerImpl(int64_t dim, double dropout);
  at::Tensor forward(const at::Tensor& frames, const at::Tensor& mask);

 private:
  AttentivePooling pool_{nullptr};
  torch::nn::Linear hidden_{nullptr}, out_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(UtteranceAttacker);

// f_spkr: each side of a pair goes through the same pooling -> Linear(D, D) -> Dropout; the logit is the dot
// product of the two sides.
class SpeakerPairAttackerImpl : public torch::nn::Module {
 public:
  SpeakerPairAttackerImpl(int64_t dim, double dropout);
  at::Tensor forward(const at::Tensor& a, const at::Tensor& a_mask, const at::Tensor& b, const at::Tensor& b_mask);

 private:
  at::Tensor embed(const at::Tensor& frames, const at::Tensor& mask);
  AttentivePooling pool_{nullptr};
  torch::nn::Linear project_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(SpeakerPairAttacker);

}  // namespace speechleak::attack
