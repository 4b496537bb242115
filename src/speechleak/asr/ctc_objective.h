#pragma once
// CTC fine-tuning as a training objective (train/objective.h): the recipe of wav2vec 2.0 / HuBERT fine-tuning.
// The conv feature encoder stays frozen; for the first freeze_steps steps everything but the head is frozen too
// (fairseq's freeze_finetune_updates); time spans of the projected features are replaced by the encoder's
// masked_spec_embed (mask_time_prob, mask_time_length as fairseq / HF); the head is dropout + Linear(D, V) over
// the vocabulary; the loss is CTC (torch's "mean": per-utterance loss over its label count, averaged;
// zero_infinity, so an utterance too short for its labels contributes nothing instead of an infinite loss).
//
// Channel masking (mask_channel_prob) zeroes spans of the projected feature channels in every frame, as HF's
// mask_feature_prob. The dev evaluation and best-dev model are finetune.h's.
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <string>

#include "speechleak/asr/finetune_config.h"
#include "speechleak/asr/vocabulary.h"
#include "speechleak/train/data_pipeline.h"
#include "speechleak/train/objective.h"

namespace speechleak::asr {

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
