#include "speechleak/attack/attacker_networks.h"

#include <limits>

namespace speechleak::attack {

AttentivePoolingImpl::AttentivePoolingImpl(int64_t dim) { score_ = register_module("score", torch::nn::Linear(dim, 1)); }

at::Tensor AttentivePoolingImpl::forward(const at::Tensor& frames, const at::Tensor& mask) {
  auto logits = score_->forward(frames).squeeze(-1);  // [B, T]
  logits = logits.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
  auto weights = at::softmax(logits, 1).unsqueeze(-1);  // [B, T, 1]
  return (weights * frames).sum(1);                      // [B, D]
}

UtteranceAttackerImpl::UtteranceAttackerImpl(int64_t dim, double dropout) {
  pool_ = register_module("pool", AttentivePooling(dim));
  hidden_ = register_module("hidden", torch::nn::Linear(dim, dim));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  out_ = register_module("out", torch::nn::Linear(dim, 1));
}

at::Tensor UtteranceAttackerImpl::forward(const at::Tensor& frames, const at::Tensor& mask) {
  auto h = at::relu(dropout_->forward(hidden_->forward(pool_->forward(frames, mask))));
  return out_->forward(h).squeeze(-1);
}

SpeakerPairAttackerImpl::SpeakerPairAttackerImpl(int64_t dim, double dropout) {
  pool_ = register_module("pool", AttentivePooling(dim));
  project_ = register_module("project", torch::nn::Linear(dim, dim));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

at::Tensor SpeakerPairAttackerImpl::embed(const at::Tensor& frames, const at::Tensor& mask) {
  return dropout_->forward(project_->forward(pool_->forward(frames, mask)));
}

at::Tensor SpeakerPairAttackerImpl::forward(const at::Tensor& a, const at::Tensor& a_mask, const at::Tensor& b,
                                            const at::Tensor& b_mask) {
  return (embed(a, a_mask) * embed(b, b_mask)).sum(-1);
}

}  // namespace speechleak::attack
