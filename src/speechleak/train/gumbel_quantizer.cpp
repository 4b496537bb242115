#include "speechleak/train/gumbel_quantizer.h"

#include <torch/nn/init.h>

#include <string>

#include "speechleak/encoder/safetensors.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

namespace nn = torch::nn;

GumbelQuantizerImpl::GumbelQuantizerImpl(int input_dim, const QuantizerConfig& config, int codevector_dim)
    : groups_(config.groups), entries_(config.entries) {
  config.validate();
  if (codevector_dim <= 0 || codevector_dim % groups_ != 0)
    throw invalid_argument("codevector_dim", "a positive multiple of the groups (" + std::to_string(groups_) + ")",
                           std::to_string(codevector_dim));
  weight_proj = register_module("weight_proj", nn::Linear(input_dim, groups_ * entries_));
  codevectors = register_parameter("codevectors", at::empty({1, groups_ * entries_, codevector_dim / groups_}));
  reset_parameters();
}

void GumbelQuantizerImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  nn::init::normal_(weight_proj->weight, 0.0, 1.0);
  nn::init::zeros_(weight_proj->bias);
  nn::init::uniform_(codevectors, 0.0, 1.0);
}

at::Tensor group_perplexity(const at::Tensor& probs) {
  return at::exp(-(probs * at::log(probs + 1e-7)).sum(-1)).sum();
}

QuantizerOutput GumbelQuantizerImpl::forward(const at::Tensor& features, const at::Tensor& uniform,
                                             double temperature) {
  const int64_t n = features.size(0), g = groups_, v = entries_;
  if (uniform.dim() != 2 || uniform.size(0) != n || uniform.size(1) != g * v)
    throw invalid_argument("uniform", encoder::shape_to_string({n, g * v}),
                           encoder::shape_to_string(uniform.sizes().vec()));
  if (!(temperature > 0)) throw invalid_argument("temperature", "> 0", std::to_string(temperature));
  QuantizerOutput out;
  const int64_t d = codevectors.size(2);
  if (n == 0) {
    out.quantized = at::zeros({0, g * d}, features.options());
    out.codes = at::zeros({0, g}, features.options().dtype(at::kLong));
    out.prob_perplexity = codevectors.sum() * 0.0;  // keeps the graph
    return out;
  }
  auto logits = weight_proj->forward(features).to(at::kFloat).view({n, g, v});
  out.prob_perplexity = group_perplexity(at::softmax(logits, -1).mean(0));
  // Gumbel(0, 1) noise; the clamp keeps log(-log(u)) finite in float32.
  auto u = uniform.to(logits.device(), at::kFloat).view({n, g, v}).clamp(1e-10, 1.0 - 1e-7);
  auto soft = at::softmax((logits - at::log(-at::log(u))) / temperature, -1);
  auto index = soft.argmax(-1, true);  // [N, G, 1]
  out.codes = index.squeeze(-1);
  auto hard = at::zeros_like(soft).scatter_(-1, index, 1.0);
  auto choice = hard - soft.detach() + soft;  // straight-through
  {
    at::NoGradGuard no_grad;
    out.code_perplexity = group_perplexity(hard.mean(0)).item<double>();
  }
  auto books = codevectors.view({g, v, d}).to(choice.scalar_type());
  out.quantized = at::einsum("ngv,gvd->ngd", {choice, books}).reshape({n, g * d}).to(features.scalar_type());
  return out;
}

}  // namespace speechleak::train
