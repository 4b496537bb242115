#pragma once
// What a training objective adds to the generic loop (trainer.h): its head modules, how its labels crop, what it
// adds to a batch, its loss with the scalars it logs, and its share of the model's metadata. HuBERT masked
// prediction (hubert_objective.h) is the first; CTC fine-tuning and the other pretraining objectives plug in the
// same way.
//
// The trainer owns the encoder and the optimiser; an objective owns its heads. Order of calls:
//   build(model config)      once, inside the trainer's seeded initialisation (after the encoder's weights)
//   prepare(batch, epoch)    every batch, on the CPU, before it moves to the device (masks, per-epoch draws)
//   before_step(step, model) every step, before the forward pass (freezing schedules)
//   loss(model, batch)       every step: forward pass and loss, on the trainer's device
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/encoder/wav2vec2_model.h"
#include "speechleak/train/data_pipeline.h"

namespace speechleak::train {

// A trained module and the prefix of its tensors in checkpoints ("<name>.<parameter>").
using NamedModule = std::pair<std::string, std::shared_ptr<torch::nn::Module>>;

struct ObjectiveLoss {
  at::Tensor loss;               // scalar with grad: what the trainer minimises
  std::vector<double> metrics;   // one per Objective::metric_columns(), logged with 6 decimals
  std::vector<int64_t> counts;   // one per Objective::count_columns(), logged as integers
};

class Objective {
 public:
  virtual ~Objective() = default;
  virtual std::string name() const = 0;  // "hubert", ...

  virtual void build(const encoder::Wav2Vec2Config& model) = 0;
  // The head modules, in a fixed order (the optimiser's parameter order and the checkpoint's tensors follow it).
  virtual std::vector<NamedModule> heads() const = 0;
  virtual LabelLayout label_layout() const = 0;
  virtual void prepare(Batch& batch, int epoch) const = 0;
  virtual void before_step(int64_t step, encoder::Wav2Vec2Model& model) {}
  virtual ObjectiveLoss loss(encoder::Wav2Vec2Model& model, const Batch& batch) = 0;

  // train_log.csv columns between "loss" and "lr" (metrics) and after "audio_seconds" (counts).
  virtual std::vector<std::string> metric_columns() const = 0;
  virtual std::vector<std::string> count_columns() const = 0;
  // The objective's section of the trained model's metadata (speechleak_pretraining.json "objective").
  virtual nlohmann::json metadata() const = 0;
};

}  // namespace speechleak::train
