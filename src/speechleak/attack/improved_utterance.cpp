#include <ATen/ATen.h>


#include "speechleak/attack/attacker_networks.h"
#include "speechleak/attack/improved_attacks.h"
#include "speechleak/attack/padding.h"
#include "speechleak/runtime/torch_rng.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::attack {

void UtteranceAttackConfig::validate() const {
  if (k < 1) throw invalid_argument("k", ">= 1", std::to_string(k));
  train.validate();
}

std::string UtteranceAttackConfig::to_string() const {
  return "k=" + std::to_string(k) + " seen_end=" + speechleak::to_string(seen_end) + " " + train.to_string();
}

struct ImprovedUtteranceAttack::State {
  UtteranceAttacker model{nullptr};
  PseudoLabels labels;
};

ImprovedUtteranceAttack::ImprovedUtteranceAttack(UtteranceAttackConfig config) : config_(std::move(config)) {
  config_.validate();
}
ImprovedUtteranceAttack::~ImprovedUtteranceAttack() = default;

TrainResult ImprovedUtteranceAttack::fit(const std::vector<at::Tensor>& aux_frames,
                                         const std::vector<double>& aux_basic_scores,
                                         const ProgressCallback& progress) {
  const int64_t width = check_sequences(aux_frames, "auxiliary frames");
  if (aux_basic_scores.size() != aux_frames.size())
    throw invalid_argument("aux_basic_scores", std::to_string(aux_frames.size()) + " scores, one per utterance",
                           std::to_string(aux_basic_scores.size()));
  auto state = std::make_unique<State>();
  state->labels = pseudo_label(aux_basic_scores, config_.k, config_.seen_end, "auxiliary utterances");
  {
    runtime::ForkedTorchRng rng(derive_seed(config_.train.seed, "utterance attacker init"));  // the caller's stream is untouched
    state->model = UtteranceAttacker(width, config_.train.dropout);
  }

  // Training examples: seen first (label 1), then unseen (label 0); the same for validation.
  auto examples = [](const std::vector<int64_t>& seen, const std::vector<int64_t>& unseen) {
    std::vector<int64_t> idx(seen);
    idx.insert(idx.end(), unseen.begin(), unseen.end());
    std::vector<float> y(seen.size(), 1.0f);
    y.resize(idx.size(), 0.0f);
    return std::make_pair(idx, y);
  };
  auto [train_idx, train_y] = examples(state->labels.train_seen, state->labels.train_unseen);
  auto [val_idx, val_y] = examples(state->labels.val_seen, state->labels.val_unseen);
  auto model = state->model;
  auto logits_for = [&, model](const std::vector<int64_t>& pool) {
    return [&aux_frames, &pool, model](const std::vector<int64_t>& ex) mutable {
      std::vector<int64_t> rows;
      for (auto e : ex) rows.push_back(pool[e]);
      auto batch = pad_batch(aux_frames, rows);
      return model->forward(batch.frames, batch.mask);
    };
  };
  auto result = train_binary(*state->model, train_y, val_y, logits_for(train_idx), logits_for(val_idx), config_.train,
                             progress);
  state_ = std::move(state);
  return result;
}

std::vector<double> ImprovedUtteranceAttack::score(const std::vector<at::Tensor>& frames) const {
  if (!state_) throw Error("ImprovedUtteranceAttack::score called before fit()");
  const int64_t width = check_sequences(frames, "evaluation frames");
  const int64_t expected = state_->model->parameters().front().size(1);
  if (width != expected)
    throw invalid_argument("evaluation frames", "width " + std::to_string(expected) + " (as the auxiliary set)",
                           std::to_string(width));
  auto model = state_->model;
  return batched_logits(static_cast<int64_t>(frames.size()), config_.train.batch_size,
                        [&](const std::vector<int64_t>& ex) {
                          auto batch = pad_batch(frames, ex);
                          return model->forward(batch.frames, batch.mask);
                        });
}

const PseudoLabels& ImprovedUtteranceAttack::pseudo_labels() const {
  if (!state_) throw Error("ImprovedUtteranceAttack::pseudo_labels called before fit()");
  return state_->labels;
}

}  // namespace speechleak::attack
