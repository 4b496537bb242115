#pragma once
// What a training objective adds to the generic loop (trainer.h): its head modules, how its labels crop, what it
// adds to a batch, its loss with the scalars it logs, and its share of the model's metadata. HuBERT masked
// prediction (hubert_objective.h) and wav2vec 2.0's contrastive objective (wav2vec2_objective.h) pretrain; CTC
// fine-tuning (asr/ctc_objective.h) plugs in the same way.
//
// The trainer owns the encoder and the optimiser; an objective owns its heads. Order of calls:
//   build(model config)      once, inside the trainer's seeded initialisation (after the encoder's weights)
//   plan(total steps)        once, after build (schedules that span the run scale to its length)
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
  // How many units `loss` is a mean over (masked frames, utterances): data-parallel ranks (data_parallel.h) weight
  // their losses, gradients and metrics by it, so that N processes take the step one process would.
  double weight = 1;
  // What each metric is a mean over, when not `weight` (e.g. unmasked accuracy: unmasked frames); empty: `weight`.
  std::vector<double> metric_weights;
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
  virtual void plan(int64_t total_steps) {}
  virtual void before_step(int64_t step, encoder::Wav2Vec2Model& model) {}
  virtual ObjectiveLoss loss(encoder::Wav2Vec2Model& model, const Batch& batch) = 0;

  // train_log.csv columns between "loss" and "lr" (metrics) and after "audio_seconds" (counts).
  virtual std::vector<std::string> metric_columns() const = 0;
  virtual std::vector<std::string> count_columns() const = 0;
  // The objective's section of the trained model's metadata (speechleak_pretraining.json "objective").
  virtual nlohmann::json metadata() const = 0;
  // Fields the saved config.json gains beside the encoder's (e.g. HF's quantiser settings); none by default.
  virtual nlohmann::json hf_config() const { return nlohmann::json::object(); }
  // The heads' tensors as pretraining_head.safetensors holds them: "<head>.<parameter>" by default.
  virtual std::vector<std::pair<std::string, at::Tensor>> head_tensors() const {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& [name, module] : heads())
      for (const auto& p : module->named_parameters(true)) out.emplace_back(name + "." + p.key(), p.value());
    return out;
  }
};

}  // namespace speechleak::train
