#pragma once
// The objective-independent part of a training run's configuration: what is trained on, the encoder trained, the
// loop (epochs, seed, checkpoints, logging), the optimiser and its schedule, batching, and the pretraining-time
// defenses applied to the data. Every objective (objective.h) shares it; each adds its own part
// (hubert_config.h for HuBERT masked prediction). Torch-free: the CLI, presets and metadata writers share it.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/encoder/hf_config.h"

namespace speechleak::train {

struct OptimConfig {
  double lr = 5e-4;
  double weight_decay = 0.01;
  double beta1 = 0.9, beta2 = 0.98, eps = 1e-6;
  double warmup_fraction = 0.08;  // of the total steps, linear from 0 (tri-stage: from init_lr_scale * lr)
  // After warm-up: "linear" | "cosine" | "constant", or "tri-stage" (fairseq's fine-tuning schedule: warm-up,
  // hold at lr for hold_fraction of the steps, then exponential decay to final_lr_scale * lr at the last step).
  std::string decay = "linear";
  double min_lr_ratio = 0.0;      // floor of the linear / cosine decay, relative to lr
  double hold_fraction = 0.4;     // tri-stage
  double init_lr_scale = 0.01;    // tri-stage
  double final_lr_scale = 0.05;   // tri-stage
  double clip_norm = 10.0;        // max global gradient norm; <= 0 disables clipping
  void validate() const;
};

struct DataConfig {
  int batch_size = 8;                  // utterances per step
  double max_seconds = 6.0;            // longer utterances are cropped (seeded, per epoch) to this
  double min_seconds = 0.5;            // shorter utterances are skipped (reported)
  std::string normalization = "zero-mean-unit-var";  // per utterance before the model; saved as do_normalize
  void validate() const;
};

// Pretraining-time defenses (defenses.h, docs/pretraining.md).
struct DefenseConfig {
  bool reverse_audio = false;   // train on time-reversed waveforms
  bool noise_augment = false;   // multi-style training: additive noise per (epoch, utterance)
  double noise_prob = 1.0;      // share of (epoch, utterance) pairs that get noise
  double snr_min_db = 5, snr_max_db = 20;
  std::string noise_type = "white";  // "white" | "speech-shaped"
  bool silence_names = false;   // replace the aligned audio of name mentions by silence
  bool sanitize_names = false;  // drop utterances that mention a name
  std::string names;            // names.tsv of the synthetic corpus, or a list (one name per line); "" = auto

  void validate() const;
  bool any() const { return reverse_audio || noise_augment || silence_names || sanitize_names; }
  bool needs_names() const { return silence_names || sanitize_names; }
  std::vector<std::string> active() const;  // e.g. {"reverse-audio", "silence-names"}
  nlohmann::json to_json() const;
  static DefenseConfig from_json(const nlohmann::json& j);  // missing fields take the defaults
};

struct TrainingConfig {
  std::string corpus;               // corpus spec (docs/corpus-specs.md)
  std::string arch = "small";       // preset name or config.json path, as given (recorded)
  encoder::Wav2Vec2Config model;    // resolved from arch
  int epochs = 10;
  uint64_t seed = 1;
  int checkpoint_every = 0;         // steps between checkpoints; 0 = once per epoch
  int keep_checkpoints = 2;         // older checkpoints are deleted
  int log_every = 1;                // steps between train_log.csv rows
  int max_steps = 0;                // > 0: stop after this many steps (tests, resumable experiments)
  int blas_threads = 1;             // OpenBLAS threads while training (runtime/blas_threads.h); 0 = leave as is
  std::string device = "cpu";       // "cpu" | "cuda" | "cuda:N" (runtime/device.h)
  OptimConfig optim;
  DataConfig data;
  DefenseConfig defenses;

  // Throws InvalidArgument naming the option (as its CLI flag where there is one), expected and actual.
  void validate() const;
  // The loop's own settings as the "training" object of a resolved config (epochs ... device, optim, data);
  // corpus, arch, model and defenses are written by the objective's config beside it.
  nlohmann::json loop_json() const;
  void read_loop_json(const nlohmann::json& j);  // missing fields keep their current values
};

// Loop settings that do not change what is trained: a resumed run may change them ("training.<key>").
const std::vector<std::string>& resume_free_loop_keys();

}  // namespace speechleak::train
