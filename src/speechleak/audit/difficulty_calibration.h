#pragma once
// The `quantile` attack: difficulty calibration with zero reference models (Bertran et al., NeurIPS 2023; the right
// use of the paper's auxiliary set, docs/calibrated-attacks.md). On the auxiliary non-members, regress the oriented
// basic score on model-independent audio descriptors (pipeline/audio_descriptors.h): a mean mu(x) and a scale
// sigma(x), as their Gaussian variant does; an utterance's score is then (s(x) - mu(x)) / sigma(x), how far above
// what a NON-member with its length, loudness, pitch and spectrum would score. Thresholding it at the Gaussian
// quantile of 1 - FPR is their per-example threshold; as a score it gives the whole ROC.
#include <vector>

namespace speechleak::audit {

struct DifficultyModelConfig {
  double l2 = 10.0;  // ridge penalty on standardised descriptors (many descriptors, a few hundred aux utterances)
  void validate() const;
};

// aux_x[i] / aux_s[i]: descriptors and oriented basic score of auxiliary non-member i (at least 4); eval likewise.
// Returns one calibrated score per eval row. Throws InvalidArgument for ragged or empty inputs.
std::vector<double> difficulty_calibrated_scores(const std::vector<std::vector<double>>& aux_x,
                                                 const std::vector<double>& aux_s,
                                                 const std::vector<std::vector<double>>& eval_x,
                                                 const std::vector<double>& eval_s,
                                                 const DifficultyModelConfig& config = {});

}  // namespace speechleak::audit
