#pragma once
// wav2vec 2.0's contrastive objective (Baevski et al. 2020; fairseq Wav2Vec2Model, HF Wav2Vec2ForPreTraining), the
// second pretraining objective (objective.h):
//   - span-masked frames (masking.h) are replaced by the encoder's masked_spec_embed;
//   - the targets are the quantised (gumbel_quantizer.h) normalised conv features of the same frames, unmasked;
//   - for each masked frame t: c = project_hid(h_t), q = project_q(quantised_t), K distractors q~ drawn from the
//     other masked frames of the same utterance; logits = cos(c, .) / kappa over [q, q~_1..K] (a distractor with the
//     target's own codevectors is excluded), loss = cross-entropy with the target first, averaged over masked frames;
//   - plus alpha * diversity, (GV - perplexity of the mean soft codebook assignment) / GV, and
//     feature_penalty * mean squared conv feature over valid frames.
// Every draw (masks, distractors, Gumbel noise) is a function of (seed, epoch, utterance id), so a batch's draws do
// not depend on its neighbours. The Gumbel temperature decays with the step (plan, before_step).
//
// Heads use HF Wav2Vec2ForPreTraining's names (quantizer.*, project_q.*, project_hid.*), which the encoder loader
// ignores as pretraining tensors. Log columns: contrastive_loss, diversity_loss, feature_penalty, accuracy,
// code_perplexity, gumbel_temperature | masked_frames.
#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/train/contrastive_config.h"
#include "speechleak/train/gumbel_quantizer.h"
#include "speechleak/train/objective.h"

namespace speechleak::train {

// The distractors of the masked frames of `mask` [B, T] bool, taken in row-major order (the rows of
// mask.nonzero()): [N, K] int64 indices into that same order, drawn uniformly with replacement from the OTHER masked
// frames of the same utterance, utterance b from Rng(seeds[b]) (fairseq samples among masked frames; HF's
// _sample_negative_indices the same). Rows of an utterance with a single masked frame are -1.
at::Tensor sample_negatives(const at::Tensor& mask, int negatives, const std::vector<uint64_t>& seeds);

// [N, width] float32 uniform draws in [0, 1) for the N masked frames of `mask` (same order), utterance b's rows
// from Rng(seeds[b]).
at::Tensor masked_uniform(const at::Tensor& mask, int64_t width, const std::vector<uint64_t>& seeds);

// The contrastive logits of the masked frames that have distractors, [M, 1 + K], the target first: cosine
// similarity / temperature of context [N, F] to targets [N, F], distractors `negatives` [N, K] (sample_negatives),
// a distractor whose `codes` [N, G] equal the target's set to -inf. `counts`: masked frames per utterance (the
// order of the rows). Frames of an utterance with a single masked frame have no row.
at::Tensor contrastive_logits(const at::Tensor& context, const at::Tensor& targets, const at::Tensor& codes,
                              const at::Tensor& negatives, const std::vector<int64_t>& counts, double temperature);

struct ContrastiveLoss {
  at::Tensor loss;           // scalar with grad: contrastive + alpha * diversity + penalty weight * penalty
  double contrastive = 0;    // mean over the frames that have distractors
  double diversity = 0;
  double feature_penalty = 0;
  double accuracy = 0;       // share of those frames whose target has the largest logit
  double code_perplexity = 0;
  int64_t masked_frames = 0;
};

class Wav2Vec2Objective : public Objective {
 public:
  Wav2Vec2Objective(const ContrastiveConfig& config, uint64_t seed);

  std::string name() const override { return "wav2vec2"; }
  void build(const encoder::Wav2Vec2Config& model) override;
  std::vector<NamedModule> heads() const override;
  LabelLayout label_layout() const override { return LabelLayout::Frames; }  // no labels; crops on frames
  void prepare(Batch& batch, int epoch) const override;
  void plan(int64_t total_steps) override;  // resolves the Gumbel decay (QuantizerConfig::gumbel_anneal_fraction)
  void before_step(int64_t step, encoder::Wav2Vec2Model& model) override { step_ = step; }
  ObjectiveLoss loss(encoder::Wav2Vec2Model& model, const Batch& batch) override;
  std::vector<std::string> metric_columns() const override;
  std::vector<std::string> count_columns() const override;
  nlohmann::json metadata() const override;
  // HF Wav2Vec2Config's pretraining fields (num_codevector_groups, ...), so that config.json with model.safetensors
  // and pretraining_head.safetensors is a Wav2Vec2ForPreTraining checkpoint.
  nlohmann::json hf_config() const override;

  // The loss of a prepared batch (what loss() logs), for tests.
  ContrastiveLoss contrastive_loss(encoder::Wav2Vec2Model& model, const Batch& batch);
  double gumbel_temperature() const;  // at the current step

  GumbelQuantizer quantizer{nullptr};
  torch::nn::Linear project_q{nullptr}, project_hid{nullptr};

 private:
  ContrastiveConfig config_;
  uint64_t seed_;
  encoder::Wav2Vec2Config model_;
  int64_t step_ = 0;
  double decay_ = 1.0;  // the Gumbel temperature's per-step decay (plan)
};

}  // namespace speechleak::train
