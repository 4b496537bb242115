#pragma once
// Resumable pretraining checkpoints:
//
//   OUT/checkpoints/step-00000120/
//     weights.safetensors   <module>.<parameter> tensors of every trained module (model.*, head.*, ...), float32
//     optimizer.pt          torch::save of the AdamW optimiser (moments, step counts, parameter groups)
//     state.json            position: step, epoch, next batch of that epoch; elapsed seconds and audio seconds
//   OUT/checkpoints/latest  the name of the newest complete checkpoint directory
//
// A checkpoint is written into "<name>.partial" and renamed when complete, then `latest` is rewritten atomically;
// an interrupted save leaves the previous checkpoint in charge. Every random step of training is a function of
// (seed, epoch, utterance) or (seed, step), so weights + optimiser + position continue a run bit for bit.
#include <torch/optim/adamw.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "speechleak/train/objective.h"

namespace speechleak::train {

struct TrainPosition {
  int64_t step = 0;           // optimiser steps taken
  int epoch = 0;              // epoch of the next batch
  int64_t batch = 0;          // index of the next batch within `epoch`
  double elapsed_s = 0;       // wall seconds of training so far (all sessions)
  double audio_seconds = 0;   // audio trained on so far

  bool operator==(const TrainPosition&) const = default;
};

// Writes checkpoints/step-<step>/ and updates `latest`; keeps the newest `keep` checkpoint directories.
// `modules` in a fixed order: the trainer's encoder ("model") first, then the objective's heads.
std::filesystem::path save_checkpoint(const std::filesystem::path& out_dir, const std::vector<NamedModule>& modules,
                                      torch::optim::AdamW& optimizer, const TrainPosition& position, int keep);

// The directory `latest` names, or nullopt when OUT has no checkpoint.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& out_dir);

// Restores weights and optimiser state into modules built with the same config; returns the position. Throws
// FormatError naming the file for a missing or mismatching tensor.
TrainPosition load_checkpoint(const std::filesystem::path& checkpoint_dir, const std::vector<NamedModule>& modules,
                              torch::optim::AdamW& optimizer);

}  // namespace speechleak::train
