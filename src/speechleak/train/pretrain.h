#pragma once
// `speechleak pretrain` as one library call: corpus -> defenses -> (HuBERT: targets) -> training -> an HF model
// directory.
//
// OUT after a run (docs/pretraining.md):
//   config.json, preprocessor_config.json, model.safetensors   the encoder (save_hf_directory; load_encoder reads OUT)
//   speechleak_pretraining.json   objective, defenses with their counts, data, seeds, final metrics
//   pretrain_config.json          the resolved PretrainConfig (what --resume checks against)
//   pretraining_head.safetensors  the objective's heads (the mask embedding is in model.safetensors as
//                                 masked_spec_embed, where HF keeps it): HuBERT's final_proj and label embeddings;
//                                 wav2vec 2.0's quantizer.*, project_q.*, project_hid.* (HF Wav2Vec2ForPreTraining
//                                 keys; config.json then also holds the quantiser's HF fields)
//   targets.safetensors           HuBERT only: MFCC standardisation and k-means centroids
//   train_log.csv                 step,epoch,loss,<objective metrics>,lr,grad_norm,seconds,audio_seconds,<counts>
//   checkpoints/                  resumable checkpoints (checkpoint.h)
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "speechleak/train/data_pipeline.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/train/trainer.h"
#include "speechleak/util/progress.h"

namespace speechleak::runtime {
class ProcessGroup;
}

namespace speechleak::train {

struct PretrainOptions {
  bool resume = false;          // continue from OUT's latest checkpoint (the config must match)
  ProgressCallback progress;    // stages "load audio", "targets", "pretrain"
  std::function<void(const StepLog&)> on_step;
  std::string command_line;     // recorded in speechleak_pretraining.json
  // Data-parallel over these processes (every one calls run_pretraining with the same config and OUT, which they
  // must all see): rank 0 prepares OUT, fits the targets and writes every file; the others train. Null: alone.
  std::shared_ptr<runtime::ProcessGroup> group;
};

// Options that only report progress and record the command line (what the demo and the studies pass).
PretrainOptions reporting_options(ProgressCallback progress, std::string command_line);

struct PretrainResult {
  std::filesystem::path out;
  DatasetReport data;
  TrainPosition position;
  StepLog last;            // the last step's log row (of this session)
  int64_t total_steps = 0;
  bool finished = false;   // reached the end of the last epoch (false when stopped by max_steps)
  nlohmann::json metadata; // what speechleak_pretraining.json holds
};

// Throws InvalidArgument for a bad config, speechleak::Error when OUT holds another run (without --resume) or a
// resumed config differs (naming the fields).
PretrainResult run_pretraining(const PretrainConfig& config, const std::filesystem::path& out,
                               const PretrainOptions& options = {});

// The fields of two resolved configs that differ in a way that changes training (max_steps, checkpoint_every,
// keep_checkpoints, log_every, blas_threads and device do not), as "a.b" paths. Both are read as configs first
// (format 1 migrated, fields an older version lacked at their defaults).
std::vector<std::string> config_differences(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace speechleak::train
