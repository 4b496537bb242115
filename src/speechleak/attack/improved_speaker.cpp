#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "speechleak/attack/attacker_networks.h"
#include "speechleak/attack/improved_attacks.h"
#include "speechleak/attack/padding.h"
#include "speechleak/runtime/torch_rng.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::attack {
namespace {

// All utterances flattened, and the pairs (consecutive utterances of one speaker) as indices into them.
struct PairTable {
  std::vector<at::Tensor> utterances;
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::vector<int64_t> speaker_of_pair;
};

PairTable make_pairs(const std::vector<SpeakerFrames>& speakers, const char* what) {
  PairTable t;
  for (size_t s = 0; s < speakers.size(); ++s) {
    if (speakers[s].size() < 2)
      throw invalid_argument(std::string(what) + "[" + std::to_string(s) + "]",
                             "a speaker with at least 2 utterances", std::to_string(speakers[s].size()));
    const auto base = static_cast<int64_t>(t.utterances.size());
    t.utterances.insert(t.utterances.end(), speakers[s].begin(), speakers[s].end());
    for (size_t u = 0; u + 1 < speakers[s].size(); ++u) {
      t.pairs.emplace_back(base + u, base + u + 1);
      t.speaker_of_pair.push_back(static_cast<int64_t>(s));
    }
  }
  return t;
}

at::Tensor pair_logits(SpeakerPairAttacker& model, const PairTable& t, const std::vector<int64_t>& pair_rows) {
  std::vector<int64_t> left, right;
  for (auto p : pair_rows) {
    left.push_back(t.pairs[p].first);
    right.push_back(t.pairs[p].second);
  }
  auto a = pad_batch(t.utterances, left), b = pad_batch(t.utterances, right);
  return model->forward(a.frames, a.mask, b.frames, b.mask);
}

}  // namespace

void SpeakerAttackConfig::validate() const {
  if (k < 1) throw invalid_argument("k", ">= 1", std::to_string(k));
  train.validate();
}

std::string SpeakerAttackConfig::to_string() const {
  return "k=" + std::to_string(k) + " seen_end=" + speechleak::to_string(seen_end) + " " + train.to_string();
}

struct ImprovedSpeakerAttack::State {
  SpeakerPairAttacker model{nullptr};
  PseudoLabels labels;
  int64_t width = 0;  // of the auxiliary frames it was trained on
};

ImprovedSpeakerAttack::ImprovedSpeakerAttack(SpeakerAttackConfig config) : config_(std::move(config)) {
  config_.validate();
}
ImprovedSpeakerAttack::~ImprovedSpeakerAttack() = default;

TrainResult ImprovedSpeakerAttack::fit(const std::vector<SpeakerFrames>& aux_speakers,
                                       const std::vector<double>& aux_basic_scores, const ProgressCallback& progress) {
  if (aux_basic_scores.size() != aux_speakers.size())
    throw invalid_argument("aux_basic_scores", std::to_string(aux_speakers.size()) + " scores, one per speaker",
                           std::to_string(aux_basic_scores.size()));
  const auto table = make_pairs(aux_speakers, "auxiliary speakers");
  const int64_t width = check_sequences(table.utterances, "auxiliary frames");
  auto state = std::make_unique<State>();
  state->width = width;
  state->labels = pseudo_label(aux_basic_scores, config_.k, config_.seen_end, "auxiliary speakers");
  {
    runtime::ForkedTorchRng rng(derive_seed(config_.train.seed, "speaker attacker init"));  // the caller's stream is untouched
    state->model = SpeakerPairAttacker(width, config_.train.dropout);
  }

  // The pairs of the pseudo-labelled speakers become the examples, labelled by their speaker's side.
  auto examples = [&](const std::vector<int64_t>& seen, const std::vector<int64_t>& unseen) {
    std::vector<int64_t> rows;
    std::vector<float> y;
    for (size_t p = 0; p < table.pairs.size(); ++p) {
      const auto s = table.speaker_of_pair[p];
      const bool is_seen = std::find(seen.begin(), seen.end(), s) != seen.end();
      const bool is_unseen = std::find(unseen.begin(), unseen.end(), s) != unseen.end();
      if (is_seen || is_unseen) {
        rows.push_back(static_cast<int64_t>(p));
        y.push_back(is_seen ? 1.0f : 0.0f);
      }
    }
    return std::make_pair(rows, y);
  };
  auto [train_rows, train_y] = examples(state->labels.train_seen, state->labels.train_unseen);
  auto [val_rows, val_y] = examples(state->labels.val_seen, state->labels.val_unseen);
  auto model = state->model;
  auto logits_for = [&table, model](const std::vector<int64_t>& rows) {
    return [&table, &rows, model](const std::vector<int64_t>& ex) mutable {
      std::vector<int64_t> pick;
      for (auto e : ex) pick.push_back(rows[e]);
      return pair_logits(model, table, pick);
    };
  };
  auto result = train_binary(*state->model, train_y, val_y, logits_for(train_rows), logits_for(val_rows),
                             config_.train, progress);
  state_ = std::move(state);
  return result;
}

std::vector<double> ImprovedSpeakerAttack::score(const std::vector<SpeakerFrames>& speakers) const {
  if (!state_) throw Error("ImprovedSpeakerAttack::score called before fit()");
  const auto table = make_pairs(speakers, "evaluation speakers");
  const int64_t width = check_sequences(table.utterances, "evaluation frames");
  if (width != state_->width)
    throw invalid_argument("evaluation frames", "width " + std::to_string(state_->width) + " (as the auxiliary set)",
                           std::to_string(width));
  auto model = state_->model;
  auto logits = batched_logits(static_cast<int64_t>(table.pairs.size()), config_.train.batch_size,
                               [&](const std::vector<int64_t>& ex) { return pair_logits(model, table, ex); });
  std::vector<double> sum(speakers.size(), 0.0), count(speakers.size(), 0.0);
  for (size_t p = 0; p < logits.size(); ++p) {
    sum[table.speaker_of_pair[p]] += 1.0 / (1.0 + std::exp(-logits[p]));
    count[table.speaker_of_pair[p]] += 1.0;
  }
  for (size_t s = 0; s < sum.size(); ++s) sum[s] /= count[s];
  return sum;
}

const PseudoLabels& ImprovedSpeakerAttack::pseudo_labels() const {
  if (!state_) throw Error("ImprovedSpeakerAttack::pseudo_labels called before fit()");
  return state_->labels;
}

}  // namespace speechleak::attack
