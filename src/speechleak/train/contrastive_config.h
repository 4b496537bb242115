#pragma once
// The wav2vec 2.0 objective's part of a pretraining config (wav2vec2_objective.h): span masking, the Gumbel-softmax
// product quantiser of the targets, and the contrastive loss with its diversity and feature penalties. Defaults are
// the wav2vec 2.0 BASE recipe (Baevski et al. 2020, fairseq wav2vec2_base_librispeech): G = 2 groups of V = 320
// entries, 256-dim codevectors and projections, K = 100 distractors, kappa = 0.1, alpha = 0.1, feature penalty 10,
// Gumbel temperature 2 -> 0.5 by 0.999995 per step, gradient into the conv extractor scaled by 0.1. Torch-free.
#include <nlohmann/json_fwd.hpp>

#include "speechleak/encoder/hf_config.h"
#include "speechleak/train/masking_config.h"

namespace speechleak::train {

struct QuantizerConfig {
  int groups = 2;            // G codebooks, one codevector chosen from each and concatenated
  int entries = 320;         // V entries per codebook
  int codevector_dim = 0;    // width of the concatenated codevector (0: min(256, hidden size), a multiple of G)
  double gumbel_start = 2.0; // Gumbel-softmax temperature at step 0 ...
  double gumbel_end = 0.5;   // ... decayed geometrically to this floor
  double gumbel_decay = 0.999995;
  // > 0: the decay is instead set so that the temperature reaches gumbel_end after this share of the run's steps
  // (the BASE recipe's 0.999995 reaches it at 69% of its 400k steps; a run of a few hundred steps would otherwise
  // never leave the start temperature).
  double gumbel_anneal_fraction = 0.0;
  void validate() const;
};

struct ContrastiveLossConfig {
  int final_dim = 0;              // both sides are projected to this width (0: the resolved codevector width)
  int negatives = 100;            // K distractors per masked frame, drawn from the same utterance's masked frames
  double temperature = 0.1;       // kappa of the cosine logits
  double diversity_weight = 0.1;  // alpha: weight of the codebook diversity loss
  double feature_penalty = 10.0;  // weight of the mean squared conv feature (fairseq's features_pen)
  double feature_grad_mult = 0.1; // gradient scale into the conv extractor
  void validate() const;
};

struct ContrastiveConfig {
  MaskingConfig masking{0.065, 10, 1};
  QuantizerConfig quantizer;
  ContrastiveLossConfig loss;

  void validate(const encoder::Wav2Vec2Config& model) const;
  int resolved_codevector_dim(const encoder::Wav2Vec2Config& model) const;
  int resolved_final_dim(const encoder::Wav2Vec2Config& model) const;
  nlohmann::json to_json() const;  // {masking, quantizer, loss}
  static ContrastiveConfig from_json(const nlohmann::json& j);  // missing fields take the defaults
};

}  // namespace speechleak::train
