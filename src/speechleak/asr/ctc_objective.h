#pragma once
// CTC fine-tuning as a training objective (train/objective.h): the recipe of wav2vec 2.0 / HuBERT fine-tuning.
// The conv feature encoder stays frozen; for the first freeze_steps steps everything but the head is frozen too
// (fairseq's freeze_finetune_updates); time spans of the projected features are replaced by the encoder's
// masked_spec_embed (mask_time_prob, mask_time_length as fairseq / HF); the head is dropout + Linear(D, V) over
// the vocabulary; the loss is CTC (torch's "mean": per-utterance loss over its label count, averaged;
// zero_infinity, so an utterance too short for its labels contributes nothing instead of an infinite loss).
//
// Not yet: channel (feature) masking, and the dev WER/CER evaluation and best-dev checkpoint of `finetune`.
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <string>

#include "speechleak/asr/vocabulary.h"
#include "speechleak/train/data_pipeline.h"
#include "speechleak/train/objective.h"

namespace speechleak::asr {

struct CtcConfig {
  double mask_time_prob = 0.05;  // about this share of frames masked, in spans (fairseq mask_prob / HF mask_time_prob)
  int mask_time_length = 10;     // frames per span
  int mask_time_min_spans = 2;   // HF mask_time_min_masks
  int freeze_steps = 0;          // steps with only the head trained
  double final_dropout = 0.1;    // before the head
  void validate() const;
};

class CtcObjective : public train::Objective {
 public:
  CtcObjective(const CtcConfig& config, Vocabulary vocabulary, uint64_t seed);

  std::string name() const override { return "ctc"; }
  void build(const encoder::Wav2Vec2Config& model) override;
  std::vector<train::NamedModule> heads() const override { return {{"lm_head", lm_head_.ptr()}}; }
  train::LabelLayout label_layout() const override { return train::LabelLayout::Sequence; }
  void prepare(train::Batch& batch, int epoch) const override;
  void before_step(int64_t step, encoder::Wav2Vec2Model& model) override;
  train::ObjectiveLoss loss(encoder::Wav2Vec2Model& model, const train::Batch& batch) override;
  std::vector<std::string> metric_columns() const override { return {}; }
  std::vector<std::string> count_columns() const override { return {"labels", "infeasible"}; }
  nlohmann::json metadata() const override;

  const Vocabulary& vocabulary() const { return vocabulary_; }
  torch::nn::Linear& lm_head() { return lm_head_; }
  bool encoder_frozen() const { return frozen_; }

 private:
  CtcConfig config_;
  Vocabulary vocabulary_;
  uint64_t seed_;
  encoder::Wav2Vec2Config model_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear lm_head_{nullptr};
  bool frozen_ = false;
};

struct LabelReport {
  size_t labelled = 0;
  size_t unknown_characters = 0;  // mapped to [UNK] or dropped (OovPolicy)
  SkipReport skipped;             // no transcript, or nothing left to label
};

// Sets every utterance's labels to its transcript's label sequence; utterances without a transcript or with an
// empty one are removed from the set and reported.
LabelReport attach_transcript_labels(train::TrainingSet& set, const Vocabulary& vocabulary, OovPolicy oov);

}  // namespace speechleak::asr
