#pragma once
// The training loop shared by every objective (objective.h): seeded data order and crops (data_pipeline.h),
// AdamW (decoupled weight decay on matrices only), linear warm-up then linear or cosine decay, global gradient-norm
// clipping, checkpoints of the encoder and the objective's heads at a fixed step interval or at each epoch's end,
// resume bit for bit, hooks, and a log row of whatever scalars the objective reports.
#include <c10/core/Device.h>
#include <torch/optim/adamw.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "speechleak/train/checkpoint.h"
#include "speechleak/train/data_pipeline.h"
#include "speechleak/train/objective.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/train/training_config.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/progress.h"

namespace speechleak::runtime {
class ProcessGroup;
}

namespace speechleak::train {

// One row of train_log.csv: step,epoch,loss,<metrics>,lr,grad_norm,seconds,audio_seconds,<counts>.
struct StepLog {
  int64_t step = 0;  // 1-based: the step just taken
  int epoch = 0;
  double loss = 0;
  std::vector<std::pair<std::string, double>> metrics;  // the objective's, in its column order
  double lr = 0, grad_norm = 0;
  double seconds = 0;        // wall seconds of training so far (all sessions)
  double audio_seconds = 0;  // audio trained on so far
  std::vector<std::pair<std::string, int64_t>> counts;

  double metric(const std::string& name) const;  // InvalidArgument for a name the objective does not log
};
// "step,epoch,loss,...": the header for an objective's columns, with a trailing newline.
std::string train_log_header(const Objective& objective);
std::string to_csv_row(const StepLog& s);  // with a trailing newline

struct TrainerHooks {
  std::string stage = "train";                     // the progress stage
  ProgressCallback progress;                       // steps, work = seconds of audio
  std::function<void(const Batch&)> on_batch;      // every batch, before its step (tests look at these)
  std::function<void(const StepLog&)> on_step;     // every step, after it
  // After the last step of an epoch (its 1-based number), before that epoch's checkpoint: evaluation on a dev
  // set belongs here, so that what it writes is in place when the checkpoint a resume starts from is.
  std::function<void(int)> on_epoch_end;
  std::function<void(const TrainPosition&)> on_checkpoint;  // after a checkpoint was written
};

class Trainer {
 public:
  // Builds the encoder (freshly initialised, model_init.h; or `initial` when given, e.g. a pretrained encoder to
  // fine-tune) and the objective's heads from torch's generator forked with derive_seed(config.seed, "init"),
  // always on the CPU so that a seed gives the same initial weights on any device; moves them to config.device
  // and builds the optimiser. `data` must outlive the trainer and carry the labels the objective expects.
  Trainer(const TrainingConfig& config, const TrainingSet& data, std::unique_ptr<Objective> objective,
          encoder::Wav2Vec2Model initial = nullptr);
  // Pretraining with the objective config.objective names (HuBERT: with `classes` target classes).
  Trainer(const PretrainConfig& config, const TrainingSet& data, int classes);

  int64_t steps_per_epoch() const;
  int64_t total_steps() const;  // epochs * steps_per_epoch (max_steps only stops early; the schedule stays)
  double lr_at(int64_t step) const;  // learning rate of the step taken from position `step` (0-based)

  // One optimisation step on a prepared batch (make_batch + Objective::prepare); advances the step count (not
  // the data position).
  StepLog step(const Batch& batch, int epoch);

  // Runs from position() to the end of the last epoch, or until max_steps. With a non-empty out_dir, writes
  // checkpoints when due and one at the end. Returns the final position.
  TrainPosition run(const std::filesystem::path& out_dir, const TrainerHooks& hooks = {});

  // Trains data-parallel with the other processes of `group` (data_parallel.h): broadcasts rank 0's weights now;
  // from then on each step takes this rank's slice of the global batch and the gradients of all. Only rank 0 writes
  // checkpoints. Call on every rank, after any resume.
  void distribute(std::shared_ptr<runtime::ProcessGroup> group);
  // Whether this process writes the run's files: no process group, or rank 0 of it.
  bool writes_outputs() const;

  // Restores a checkpoint written by run() of the same config.
  void resume_from(const std::filesystem::path& checkpoint_dir);
  // Restores out_dir's latest checkpoint, if it has one (logged); returns whether it did.
  bool resume_latest(const std::filesystem::path& out_dir);
  const TrainPosition& position() const { return pos_; }

  encoder::Wav2Vec2Model& model() { return model_; }
  Objective& objective() { return *objective_; }
  const Objective& objective() const { return *objective_; }
  // The encoder ("model") then the objective's heads: what checkpoints hold and the optimiser trains.
  std::vector<NamedModule> modules() const;
  std::vector<at::Tensor> head_parameters() const;  // the heads' parameters, in order
  torch::optim::AdamW& optimizer() { return *optimizer_; }

 private:
  bool checkpoint_due(bool end_of_epoch) const;
  std::vector<at::Tensor> parameters() const;  // of modules(), in order
  std::string step_stream() const;             // the random stream of the step's draws inside the forward pass
  Error not_finite_loss() const;               // the error of a step whose loss is NaN or infinite
  // Data-parallel: sums gradients and statistics over the ranks (data_parallel.h); `out`, `loss` and
  // `audio_seconds` become the whole batch's.
  void reduce_over_ranks(bool ran, ObjectiveLoss& out, double& loss, double& audio_seconds);

  TrainingConfig config_;
  c10::Device device_;
  const TrainingSet& data_;
  std::unique_ptr<Objective> objective_;
  encoder::Wav2Vec2Model model_{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  TrainPosition pos_;
  std::shared_ptr<runtime::ProcessGroup> group_;
  bool agreed_stop_ = false;  // data-parallel: some rank was asked to stop, so all stop after this step
};

// A run's train_log.csv: prepared when opened (a fresh header, or, when `resumed`, the rows up to the trainer's
// position), then a row every log_every steps and at the last step.
class TrainLogFile {
 public:
  TrainLogFile(const std::filesystem::path& path, const Trainer& trainer, int log_every, bool resumed);
  void add(const StepLog& s);

 private:
  AppendFile file_;
  int log_every_;
  int64_t last_step_;
};

}  // namespace speechleak::train
