#pragma once
// Configuration of `speechleak pretrain`: the shared training part (training_config.h) plus the objective's part.
// Every random step takes its seed from `seed` through derive_seed(seed, "<stream>"), so one number fixes a run;
// the resolved config (pretrain_config.json) records everything needed to repeat it. Torch-free.
//
// pretrain_config.json, format_version 2:
//   {"format_version": 2, "corpus", "arch", "model": {...},
//    "training": {epochs, seed, checkpoint_every, keep_checkpoints, log_every, max_steps, blas_threads, device,
//                 optim, data},
//    "defenses": {...},
//    "objective": {"name": "hubert", "mfcc", "kmeans", "masking", "head"}
//              or {"name": "wav2vec2", "masking", "quantizer", "loss"}
//              or {"name": "tera", "time", "zero_fraction", "replace_fraction", "frequency_max", ...}}
// Version 1 (no format_version: loop and HuBERT settings side by side at the top level) is migrated on reading.
#include <nlohmann/json_fwd.hpp>

#include <string>

#include "speechleak/train/contrastive_config.h"
#include "speechleak/train/hubert_config.h"
#include "speechleak/train/tera_config.h"
#include "speechleak/train/training_config.h"

namespace speechleak::train {

inline constexpr int kPretrainConfigVersion = 2;

struct PretrainConfig : TrainingConfig {
  std::string objective = "hubert";  // "hubert" | "wav2vec2" | "tera"
  HubertConfig hubert;           // objective "hubert"
  ContrastiveConfig wav2vec2;    // objective "wav2vec2"
  TeraConfig tera;               // objective "tera"

  // The active objective's time masking (TERA: its time alteration).
  MaskingConfig& masking() {
    return objective == "wav2vec2" ? wav2vec2.masking : objective == "tera" ? tera.time : hubert.masking;
  }
  // The gradient scale into the conv extractor; TERA has no conv extractor (throws InvalidArgument).
  double& feature_grad_mult();

  // Throws InvalidArgument naming the option (as its CLI flag where there is one), expected and actual.
  void validate() const;
  nlohmann::json to_json() const;
  // Reads format 2, or migrates format 1 (`migrated` set true then); another format_version is a FormatError.
  static PretrainConfig from_json(const nlohmann::json& j, const std::string& source, bool* migrated = nullptr);
  std::string to_string() const;  // to_json().dump()
};

// A format-1 config (pretrain_config.json of speechleak <= 0.1 runs) rewritten as format 2; other JSON unchanged.
nlohmann::json migrate_pretrain_config(const nlohmann::json& j);

}  // namespace speechleak::train
