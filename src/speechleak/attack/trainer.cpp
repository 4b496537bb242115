#include "speechleak/attack/trainer.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>
#include <numeric>

#include "speechleak/runtime/torch_rng.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"
#include "speechleak/util/number_format.h"

namespace speechleak::attack {
namespace {

std::vector<at::Tensor> snapshot(torch::nn::Module& model) {
  std::vector<at::Tensor> state;
  for (auto& p : model.parameters()) state.push_back(p.detach().clone());
  for (auto& b : model.buffers()) state.push_back(b.detach().clone());
  return state;
}

void restore(torch::nn::Module& model, const std::vector<at::Tensor>& state) {
  at::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& p : model.parameters()) p.copy_(state[i++]);
  for (auto& b : model.buffers()) b.copy_(state[i++]);
}

std::vector<int64_t> batch_slice(const std::vector<int64_t>& order, size_t start, int64_t size) {
  auto end = std::min(order.size(), start + static_cast<size_t>(size));
  return {order.begin() + start, order.begin() + end};
}

at::Tensor labels_of(const std::vector<float>& labels, const std::vector<int64_t>& idx) {
  std::vector<float> v;
  for (auto i : idx) v.push_back(labels[i]);
  return at::tensor(v);
}

// Mean validation loss and accuracy (logit > 0 means "seen").
std::pair<double, double> evaluate(const std::vector<float>& labels, const BatchLogits& logits, int64_t batch) {
  auto out = batched_logits(static_cast<int64_t>(labels.size()), batch, logits);
  auto z = at::tensor(std::vector<double>(out.begin(), out.end()));
  auto y = at::tensor(std::vector<double>(labels.begin(), labels.end()));
  const double loss = at::binary_cross_entropy_with_logits(z, y).item<double>();
  const double acc = ((z > 0).to(at::kDouble) == y).to(at::kDouble).mean().item<double>();
  return {loss, acc};
}

}  // namespace

void TrainConfig::validate() const {
  if (!(learning_rate > 0)) throw invalid_argument("learning_rate", "> 0", std::to_string(learning_rate));
  if (batch_size < 1) throw invalid_argument("batch_size", ">= 1", std::to_string(batch_size));
  if (max_epochs < 1) throw invalid_argument("max_epochs", ">= 1", std::to_string(max_epochs));
  if (patience < 1) throw invalid_argument("patience", ">= 1", std::to_string(patience));
  if (dropout < 0 || dropout >= 1) throw invalid_argument("dropout", "in [0, 1)", std::to_string(dropout));
}

std::string TrainConfig::to_string() const {
  return "lr=" + text::general(learning_rate) + " batch=" + std::to_string(batch_size) +
         " max_epochs=" + std::to_string(max_epochs) + " patience=" + std::to_string(patience) +
         " dropout=" + text::general(dropout) + " seed=" + std::to_string(seed);
}

std::vector<double> batched_logits(int64_t n, int64_t batch_size, const BatchLogits& logits) {
  at::NoGradGuard no_grad;
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> out;
  for (size_t s = 0; s < order.size(); s += batch_size) {
    auto z = logits(batch_slice(order, s, batch_size)).to(at::kDouble).contiguous();
    out.insert(out.end(), z.data_ptr<double>(), z.data_ptr<double>() + z.numel());
  }
  return out;
}

TrainResult train_binary(torch::nn::Module& model, const std::vector<float>& train_labels,
                         const std::vector<float>& val_labels, const BatchLogits& train_logits,
                         const BatchLogits& val_logits, const TrainConfig& config, const ProgressCallback& progress) {
  config.validate();
  runtime::ensure_torch_threads();
  // Dropout draws from torch's global generator: fork it, so the caller's stream is untouched.
  runtime::ForkedTorchRng dropout_rng(derive_seed(config.seed, "attacker dropout"));
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(config.learning_rate));
  Rng rng(derive_seed(config.seed, "attacker shuffle"));

  TrainResult result;
  std::vector<at::Tensor> best;
  int since_best = 0;
  for (int epoch = 1; epoch <= config.max_epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<int64_t> order(train_labels.size());
    std::iota(order.begin(), order.end(), 0);
    seeded_shuffle(order, rng);
    model.train();
    double loss_sum = 0;
    for (size_t s = 0; s < order.size(); s += config.batch_size) {
      auto idx = batch_slice(order, s, config.batch_size);
      optimizer.zero_grad();
      auto loss = at::binary_cross_entropy_with_logits(train_logits(idx), labels_of(train_labels, idx));
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * idx.size();
    }
    model.eval();
    auto [val_loss, val_acc] = evaluate(val_labels, val_logits, config.batch_size);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.epochs.push_back({epoch, loss_sum / order.size(), val_loss, val_acc, secs});
    // A non-finite best (e.g. a NaN first epoch) is beaten by any later epoch.
    if (best.empty() || !std::isfinite(result.best_val_loss) || val_loss < result.best_val_loss) {
      best = snapshot(model);
      result.best_epoch = epoch;
      result.best_val_loss = val_loss;
      since_best = 0;
    } else if (++since_best >= config.patience) {
      result.stopped_early = epoch < config.max_epochs;
      break;
    }
    if (progress) progress({"train attacker", epoch, config.max_epochs, 0, "", 0});
  }
  restore(model, best);
  model.eval();
  return result;
}

}  // namespace speechleak::attack
