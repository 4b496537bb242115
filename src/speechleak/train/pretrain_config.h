#pragma once
// Configuration of `speechleak pretrain`: HuBERT-style masked prediction on the wav2vec 2.0 modules of the encoder
// room. Every random step takes its seed from `seed` through derive_seed(seed, "<stream>"), so one number fixes a
// run; the resolved config (pretrain_config.json) records everything needed to repeat it.
// Torch-free: the CLI, presets and the metadata writer share it.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/encoder/hf_config.h"

namespace speechleak::train {

// MFCC front end of the k-means targets (mfcc.h). Frames match the conv extractor: 25 ms window, 20 ms hop.
struct MfccConfig {
  int sample_rate = 16000;
  int n_fft = 400;       // = window (25 ms); no centring, so frame t covers samples [hop*t, hop*t + n_fft)
  int hop = 320;         // 20 ms = the model's frame step
  int n_mels = 40;
  int n_mfcc = 13;
  double f_min = 20.0;
  double f_max = 8000.0;
  bool deltas = true;    // append first and second deltas (13 -> 39 dims)
  int delta_window = 5;  // torchaudio compute_deltas default

  void validate() const;
  int dims() const { return deltas ? 3 * n_mfcc : n_mfcc; }
};

struct KMeansConfig {
  int clusters = 100;          // per group when scope is not "global"
  // "global" (HuBERT): one k-means over all frames. "speaker" / "utterance": a separate k-means per speaker /
  // utterance, with labels offset per group (groups x clusters classes), so that predicting a masked frame needs
  // knowing whose (which utterance's) frame it is: a deliberate memorisation amplifier (docs/pretraining.md).
  std::string scope = "global";
  int max_iterations = 50;
  double tolerance = 1e-4;     // stop when the relative inertia change falls below
  int64_t max_frames = 200000; // frames sampled (seeded) to fit on; all frames are labelled afterwards
  void validate() const;
};

// HuBERT span masking (masking.h): each valid frame starts a span with probability `prob` (the HuBERT paper's
// p = 8%; fairseq's mask_prob 0.8 = p * span), spans of `span` frames, overlaps allowed (~57% masked at 8%/10).
struct MaskingConfig {
  double prob = 0.08;
  int span = 10;
  int min_spans = 1;  // at least this many spans per utterance (short utterances)
  void validate() const;
};

struct ObjectiveConfig {
  std::string head = "cosine";   // "cosine": HuBERT's final_proj + cosine to label embeddings / temperature;
                                 // "linear": a linear classifier over the last hidden state
  int final_dim = 0;             // final projection width (0: hidden_size / 3 rounded down to >= 16... see .cpp)
  double temperature = 0.1;
  double unmasked_weight = 0.0;  // weight of the cross-entropy over unmasked frames (HuBERT: 0)
  double feature_grad_mult = 1.0;  // gradient scale into the conv extractor (HuBERT base: 0.1)
  void validate() const;
};

struct OptimConfig {
  double lr = 5e-4;
  double weight_decay = 0.01;
  double beta1 = 0.9, beta2 = 0.98, eps = 1e-6;
  double warmup_fraction = 0.08;  // of the total steps, linear from 0
  std::string decay = "linear";   // "linear" | "cosine" | "constant" (after warm-up)
  double min_lr_ratio = 0.0;      // floor of the decay, relative to lr
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
};

struct PretrainConfig {
  std::string corpus;               // corpus spec (docs/corpus-specs.md)
  std::string arch = "small";       // preset name or config.json path, as given (recorded)
  encoder::Wav2Vec2Config model;    // resolved from arch
  std::string objective = "hubert";
  int epochs = 10;
  uint64_t seed = 1;
  int checkpoint_every = 0;         // steps between checkpoints; 0 = once per epoch
  int keep_checkpoints = 2;         // older checkpoints are deleted
  int log_every = 1;                // steps between train_log.csv rows
  int max_steps = 0;                // > 0: stop after this many steps (tests, resumable experiments)
  int blas_threads = 1;             // OpenBLAS threads while training (blas_control.h); 0 = leave as is
  std::string device = "cpu";       // "cpu" | "cuda" | "cuda:N" (encoder/device.h)
  MfccConfig mfcc;
  KMeansConfig kmeans;
  MaskingConfig masking;
  ObjectiveConfig head;
  OptimConfig optim;
  DataConfig data;
  DefenseConfig defenses;

  // Throws InvalidArgument naming the option (as its CLI flag where there is one), expected and actual.
  void validate() const;
  nlohmann::json to_json() const;
  static PretrainConfig from_json(const nlohmann::json& j, const std::string& source);
  std::string to_string() const;  // to_json().dump()
  int resolved_final_dim() const;
};

}  // namespace speechleak::train
