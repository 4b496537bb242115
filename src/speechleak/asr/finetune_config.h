#pragma once
// Configuration of `speechleak finetune`: the shared training part (train/training_config.h) plus the CTC
// objective's part and what is fine-tuned on. Every random step takes its seed from `seed` (derive_seed streams),
// and the resolved config (finetune_config.json) records everything needed to repeat a run. Torch-free.
//
// finetune_config.json, format_version 1:
//   {"format_version": 1, "corpus", "dev", "pretrained", "arch", "model": {...},
//    "training": {epochs, seed, ..., optim, data}, "objective": {"name": "ctc", mask_*, freeze_steps, ...},
//    "labels": {"oov": "unk" | "skip"}, "dev_eval": {"every_epochs", "beam"}}
#include <nlohmann/json_fwd.hpp>

#include <string>

#include "speechleak/train/training_config.h"

namespace speechleak::asr {

inline constexpr int kFinetuneConfigVersion = 1;

struct CtcConfig {
  // Time masking: about this share of frames masked, in spans (fairseq mask_prob / HF mask_time_prob).
  double mask_time_prob = 0.05;
  int mask_time_length = 10;     // frames per span
  int mask_time_min_spans = 2;   // HF mask_time_min_masks
  // Channel masking: about this share of the projected feature channels zeroed in every frame of an utterance,
  // in spans of mask_channel_length channels (fairseq mask_channel_prob / HF mask_feature_prob; 0 = off).
  double mask_channel_prob = 0.0;
  int mask_channel_length = 10;
  int freeze_steps = 0;          // steps with only the head trained (fairseq freeze_finetune_updates)
  double final_dropout = 0.1;    // before the head
  void validate() const;
  nlohmann::json to_json() const;
  static CtcConfig from_json(const nlohmann::json& j);  // missing fields take the defaults
};

struct FinetuneConfig : train::TrainingConfig {
  std::string pretrained;        // the encoder fine-tuned: an HF model directory (a CTC one: its encoder part)
  std::string dev;               // corpus spec of the dev set ("" = none: no dev evaluation, the last model kept)
  std::string oov = "unk";       // transcript characters outside the vocabulary: "unk" ([UNK]) or "skip" (dropped)
  CtcConfig ctc;
  int eval_every_epochs = 1;     // dev WER/CER after every N-th epoch and after the last
  int eval_beam = 0;             // dev decoding: 0 = greedy, N > 0 = prefix beam search of width N

  FinetuneConfig();              // the fine-tuning recipe's loop defaults (tri-stage schedule, no weight decay)
  // Throws InvalidArgument naming the option (as its CLI flag), expected and actual.
  void validate() const;
  nlohmann::json to_json() const;
  // FormatError naming `source` for another format_version or a malformed field.
  static FinetuneConfig from_json(const nlohmann::json& j, const std::string& source);
};

}  // namespace speechleak::asr
