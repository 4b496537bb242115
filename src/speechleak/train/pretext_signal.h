#pragma once
// The pretext probability of a speechleak-pretrained HuBERT-style model: how well its own pretraining head
// predicts an utterance's k-means targets on masked frames, the membership signal of the calibrated attacks
// (docs/calibrated-attacks.md). A model that trained on an utterance predicts its masked frames' classes better.
//
// For each utterance: frames masked by HuBERT span masking (masking.h) from derive_seed(seed, "pretext/<utt id>"),
// so every model scored with the same seed sees the same masks; targets = the nearest centroid of the model's
// MFCC k-means codebook (TargetModel::nearest_labels: model-independent features; for per-speaker codebooks the
// nearest centroid of any group, a labelling defined for speakers the model never heard); the masked frames are
// replaced by the model's mask embedding and the head's log-softmax at each frame's target is averaged.
//
// Fields (features::UtteranceSignal): masked_logp (the signal), unmasked_logp, masked_accuracy, masked_frames.
#include <filesystem>
#include <memory>
#include <string>

#include "speechleak/features/utterance_signal.h"
#include "speechleak/train/hubert_config.h"

namespace speechleak::train {

struct PretextSignalConfig {
  uint64_t seed = 0;      // mask draws: derive_seed(seed, "pretext/<utt id>")
  MaskingConfig masking;  // usually the target model's own pretraining masking (pretext_masking below)
  void validate() const { masking.validate(); }
  std::string to_string() const;
};

// True when `model_dir` holds what the signal needs: pretrain_config.json (a HuBERT objective),
// pretraining_head.safetensors and targets.safetensors (speechleak's own pretraining output).
bool has_pretext_head(const std::filesystem::path& model_dir);

// The masking `model_dir` was pretrained with (pretrain_config.json). Throws FileError/FormatError.
MaskingConfig pretext_masking(const std::filesystem::path& model_dir);

class PretextSignal final : public features::UtteranceSignal {
 public:
  // Loads the encoder, head and targets of `model_dir` onto the CPU. Throws FileError / FormatError naming the
  // missing or malformed file (e.g. a checkpoint without its pretraining head).
  PretextSignal(const std::filesystem::path& model_dir, const PretextSignalConfig& config);
  ~PretextSignal() override;

  std::string name() const override { return "pretext"; }
  std::string description() const override;
  std::map<std::string, double> compute(std::span<const float> samples, const std::string& utt_id) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace speechleak::train
