#pragma once
// The improved (learned) membership attacks of Tseng et al.: an attacker network trained on the auxiliary set,
// pseudo-labelled by the basic score, then applied to the evaluation set.
//
// Frame sequences are [T, D] tensors (any float dtype; converted per batch). The auxiliary set must contain
// no evaluation non-members; the caller checks and records that (see the audit command).
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "speechleak/attack/pseudo_labels.h"
#include "speechleak/attack/trainer.h"
#include "speechleak/util/progress.h"

namespace speechleak::attack {

struct UtteranceAttackConfig {
  int64_t k = 500;  // pseudo-labelled utterances per side (and again per side for validation)
  ScoreDirection seen_end = ScoreDirection::High;
  TrainConfig train;
  void validate() const;
  std::string to_string() const;
};

class ImprovedUtteranceAttack {
 public:
  explicit ImprovedUtteranceAttack(UtteranceAttackConfig config);
  ~ImprovedUtteranceAttack();
  // aux_basic_scores[i] is the basic utterance score of aux_frames[i].
  TrainResult fit(const std::vector<at::Tensor>& aux_frames, const std::vector<double>& aux_basic_scores,
                  const ProgressCallback& progress = {});
  // One logit per sequence; higher = more likely seen. Needs fit() first.
  std::vector<double> score(const std::vector<at::Tensor>& frames) const;
  const PseudoLabels& pseudo_labels() const;

 private:
  struct State;
  UtteranceAttackConfig config_;
  std::unique_ptr<State> state_;
};

struct SpeakerAttackConfig {
  int64_t k = 1;  // pseudo-labelled speakers per side (the paper's value), and again per side for validation
  ScoreDirection seen_end = ScoreDirection::High;
  TrainConfig train;
  void validate() const;
  std::string to_string() const;
};

// A speaker's utterances, in a stable order (utterance id); consecutive utterances form the pairs.
using SpeakerFrames = std::vector<at::Tensor>;

class ImprovedSpeakerAttack {
 public:
  explicit ImprovedSpeakerAttack(SpeakerAttackConfig config);
  ~ImprovedSpeakerAttack();
  // aux_basic_scores[s] is the basic speaker score of aux_speakers[s]; every speaker needs >= 2 utterances.
  TrainResult fit(const std::vector<SpeakerFrames>& aux_speakers, const std::vector<double>& aux_basic_scores,
                  const ProgressCallback& progress = {});
  // A speaker's score: the mean over its consecutive-utterance pairs of sigmoid(pair logit).
  std::vector<double> score(const std::vector<SpeakerFrames>& speakers) const;
  const PseudoLabels& pseudo_labels() const;

 private:
  struct State;
  SpeakerAttackConfig config_;
  std::unique_ptr<State> state_;
};

}  // namespace speechleak::attack
