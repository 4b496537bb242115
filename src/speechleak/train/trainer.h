#pragma once
// The HuBERT pretraining loop: AdamW (decoupled weight decay on matrices only), linear warm-up then linear or
// cosine decay, global gradient-norm clipping, checkpoints at a fixed step interval or at each epoch's end.
#include <c10/core/Device.h>
#include <torch/optim/adamw.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "speechleak/train/checkpoint.h"
#include "speechleak/train/data_pipeline.h"
#include "speechleak/train/model_init.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/util/progress.h"

namespace speechleak::train {

// One row of train_log.csv.
struct StepLog {
  int64_t step = 0;  // 1-based: the step just taken
  int epoch = 0;
  double loss = 0, masked_loss = 0, masked_accuracy = 0, unmasked_accuracy = 0;
  double lr = 0, grad_norm = 0;
  double seconds = 0;        // wall seconds of training so far (all sessions)
  double audio_seconds = 0;  // audio trained on so far
  int64_t masked_frames = 0;
};
std::string train_log_header();           // "step,epoch,loss,..." with a trailing newline
std::string to_csv_row(const StepLog& s);  // with a trailing newline

struct TrainerHooks {
  ProgressCallback progress;                       // stage "pretrain", steps, work = seconds of audio
  std::function<void(const Batch&)> on_batch;      // every batch, before its step (tests look at these)
  std::function<void(const StepLog&)> on_step;     // every step, after it
  std::function<void(const TrainPosition&)> on_checkpoint;  // after a checkpoint was written
};

class Trainer {
 public:
  // Builds model and head (seeded, model_init.h, always on the CPU so that a seed gives the same initial weights
  // on any device), moves them to config.device, and builds the optimiser. `data` must outlive the trainer and
  // carry labels with values < classes.
  Trainer(const PretrainConfig& config, const TrainingSet& data, int classes);

  int64_t steps_per_epoch() const;
  int64_t total_steps() const;  // epochs * steps_per_epoch (max_steps only stops early; the schedule stays)
  double lr_at(int64_t step) const;  // learning rate of the step taken from position `step` (0-based)

  // One optimisation step on `batch`; advances the step count (not the data position).
  StepLog step(const Batch& batch, int epoch);

  // Runs from position() to the end of the last epoch, or until max_steps. With a non-empty out_dir, writes
  // checkpoints when due and one at the end. Returns the final position.
  TrainPosition run(const std::filesystem::path& out_dir, const TrainerHooks& hooks = {});

  // Restores a checkpoint written by run() of the same config.
  void resume_from(const std::filesystem::path& checkpoint_dir);
  const TrainPosition& position() const { return pos_; }

  encoder::Wav2Vec2Model& model() { return modules_.model; }
  HubertHead& head() { return modules_.head; }
  torch::optim::AdamW& optimizer() { return *optimizer_; }

 private:
  bool checkpoint_due(bool end_of_epoch) const;

  PretrainConfig config_;
  c10::Device device_;
  const TrainingSet& data_;
  PretrainModules modules_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  TrainPosition pos_;
};

}  // namespace speechleak::train
