#pragma once
// The training loop shared by the learned attackers: binary cross-entropy on logits, Adam, early stopping on
// validation loss with patience, and the best epoch's weights kept (the authors' code never zeroed gradients
// and set no torch seed; here every step is seeded and gradients are cleared each batch).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "speechleak/util/progress.h"

namespace torch::nn {
class Module;
}

namespace speechleak::attack {

struct TrainConfig {
  double learning_rate = 1e-5;  // the paper's and the authors' value
  int64_t batch_size = 32;
  int max_epochs = 30;          // authors' code (the paper says 20)
  int patience = 5;             // epochs without a better validation loss before stopping
  double dropout = 0.2;
  uint64_t seed = 0;            // initialisation, dropout and shuffling
  void validate() const;
  std::string to_string() const;
};

struct EpochRecord {
  int epoch = 0;  // 1-based
  double train_loss = 0, val_loss = 0, val_accuracy = 0, seconds = 0;
};

struct TrainResult {
  std::vector<EpochRecord> epochs;
  int best_epoch = 0;
  double best_val_loss = 0;
  bool stopped_early = false;
};

// Runs a batch of examples (indices into the train or the validation set) through the model: [B] logits.
using BatchLogits = std::function<at::Tensor(const std::vector<int64_t>& examples)>;

// Trains `model` in place and leaves it in eval mode with the best epoch's weights.
TrainResult train_binary(torch::nn::Module& model, const std::vector<float>& train_labels,
                         const std::vector<float>& val_labels, const BatchLogits& train_logits,
                         const BatchLogits& val_logits, const TrainConfig& config, const ProgressCallback& progress);

// Evaluates `logits` over n examples in batches without gradients.
std::vector<double> batched_logits(int64_t n, int64_t batch_size, const BatchLogits& logits);

}  // namespace speechleak::attack
