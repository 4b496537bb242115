#pragma once
// Pretraining into a directory that may already hold the run: reuse it when finished, resume it when interrupted,
// train it otherwise. The demo's model cache and the reference encoders of the calibrated attacks both work this
// way, so an interrupted study continues where it stopped.
#include <filesystem>

#include "speechleak/train/pretrain.h"

namespace speechleak::train {

enum class PretrainState {
  Absent,       // nothing trained there yet
  Interrupted,  // a run started (pretrain_config.json) and did not finish: resume it
  Finished      // speechleak_pretraining.json, written last by run_pretraining, says it finished
};
PretrainState pretrain_state(const std::filesystem::path& dir);

// Before resuming the run in `dir`: its pretrain_config.json must be `config` except for the corpus spec (the
// directory holding the data may have moved), which is updated. Anything else differing is an Error naming the
// fields and saying to delete `dir`.
void adopt_interrupted_run(const std::filesystem::path& dir, const PretrainConfig& config);

// Reuses a finished model in `dir` (returns true), or resumes the interrupted run there, or trains `config` into
// it (options.resume is set from the state). Throws Error when training stopped before its last epoch (a partial
// model must never be used as the finished one).
bool pretrain_or_reuse(const PretrainConfig& config, const std::filesystem::path& dir, PretrainOptions options = {});

}  // namespace speechleak::train
