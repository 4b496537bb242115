#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <random>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/attack/improved_attacks.h"
#include "speechleak/util/error.h"

namespace speechleak::attack {
namespace {

// P(member score > non-member score) + 0.5 P(tie), written out (the metrics room has the real implementation).
double auc(const std::vector<double>& members, const std::vector<double>& nonmembers) {
  double wins = 0;
  for (double m : members)
    for (double n : nonmembers) wins += m > n ? 1.0 : m == n ? 0.5 : 0.0;
  return wins / (members.size() * nonmembers.size());
}

// Synthetic features with a planted membership signal: each utterance has a latent "familiarity" z; its frames
// are noise plus z times a fixed direction, so higher z means frames that agree with each other (lower cosine
// distance). The auxiliary set spans z in [0, 1]; evaluation members have z in [0.6, 1], non-members [0, 0.4].
at::Tensor utterance(double z, const at::Tensor& direction, int64_t frames) {
  return at::randn({frames, direction.size(0)}) + 2.5 * z * direction;
}

struct Planted {
  std::vector<at::Tensor> aux, members, nonmembers;
  std::vector<double> aux_scores;
};

Planted plant(int seed) {
  at::manual_seed(seed);
  auto direction = at::randn({16});
  direction /= direction.norm();
  Planted p;
  for (int i = 0; i < 160; ++i) {
    p.aux.push_back(utterance(at::rand({1}).item<double>(), direction, 20 + i % 17));
    p.aux_scores.push_back(utterance_cosine_distance(p.aux.back()));
  }
  for (int i = 0; i < 60; ++i) {
    p.members.push_back(utterance(0.6 + 0.4 * at::rand({1}).item<double>(), direction, 20 + i % 13));
    p.nonmembers.push_back(utterance(0.4 * at::rand({1}).item<double>(), direction, 20 + i % 11));
  }
  return p;
}

UtteranceAttackConfig fast_config() {
  UtteranceAttackConfig c;
  c.k = 30;
  c.seen_end = SeenEnd::Low;  // planted members have LOWER cosine distance
  c.train.learning_rate = 3e-3;
  c.train.max_epochs = 25;
  c.train.seed = 5;
  return c;
}

TEST(ImprovedUtteranceAttack, RecoversAPlantedSignalAndAShuffledControlDoesNot) {
  auto p = plant(1);
  ImprovedUtteranceAttack attack(fast_config());
  auto log = attack.fit(p.aux, p.aux_scores);
  EXPECT_GE(log.best_epoch, 1);
  const double real = auc(attack.score(p.members), attack.score(p.nonmembers));

  // Control: the same training with the pseudo-labelling scores shuffled carries no signal.
  auto shuffled = p.aux_scores;
  std::mt19937 rng(3);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  ImprovedUtteranceAttack control(fast_config());
  control.fit(p.aux, shuffled);
  const double ctrl = auc(control.score(p.members), control.score(p.nonmembers));

  EXPECT_GT(real, 0.85);
  EXPECT_LT(std::abs(ctrl - 0.5), 0.25);
  EXPECT_GT(real, ctrl + 0.2);
}

TEST(ImprovedUtteranceAttack, SameSeedSameScores) {
  auto p = plant(2);
  auto config = fast_config();
  config.train.max_epochs = 3;
  ImprovedUtteranceAttack a(config), b(config);
  a.fit(p.aux, p.aux_scores);
  b.fit(p.aux, p.aux_scores);
  EXPECT_EQ(a.score(p.members), b.score(p.members));
}

TEST(ImprovedUtteranceAttack, PaddingDoesNotChangeAScore) {
  // A sequence scored alone and in a batch with a much longer one must get the same logit (masked attention).
  auto p = plant(3);
  auto config = fast_config();
  config.train.max_epochs = 2;
  ImprovedUtteranceAttack a(config);
  a.fit(p.aux, p.aux_scores);
  auto alone = a.score({p.members[0]});
  auto batched = a.score({p.members[0], at::randn({200, 16})});
  EXPECT_NEAR(alone[0], batched[0], 1e-5);
}

TEST(ImprovedUtteranceAttack, BadInputsGiveClearErrors) {
  auto p = plant(4);
  auto config = fast_config();
  config.k = 41;  // 4k = 164 > 160
  EXPECT_THROW(ImprovedUtteranceAttack(config).fit(p.aux, p.aux_scores), InvalidArgument);
  ImprovedUtteranceAttack ok(fast_config());
  EXPECT_THROW(ok.fit(p.aux, std::vector<double>(3, 0.0)), InvalidArgument);
  EXPECT_THROW(ok.score(p.members), Error);  // not fitted
  auto bad = p.aux;
  bad[7] = at::randn({10, 15});  // mismatched width
  EXPECT_THROW(ok.fit(bad, p.aux_scores), InvalidArgument);
  bad = p.aux;
  bad[3][0][0] = std::nan("");
  EXPECT_THROW(ok.fit(bad, p.aux_scores), InvalidArgument);
  EXPECT_THROW(ok.fit({}, {}), InvalidArgument);
}

// Speakers: utterance means = z * speaker direction + noise, so high-z speakers have mutually similar utterances.
std::vector<SpeakerFrames> speakers(int n, double z_lo, double z_hi, std::vector<double>* basic) {
  std::vector<SpeakerFrames> out;
  for (int s = 0; s < n; ++s) {
    const double z = z_lo + (z_hi - z_lo) * at::rand({1}).item<double>();
    auto dir = at::randn({16});
    dir /= dir.norm();
    SpeakerFrames utts;
    std::vector<at::Tensor> means;
    for (int u = 0; u < 5; ++u) {
      utts.push_back(at::randn({15, 16}) * 0.5 + at::randn({16}) * (1.2 - z) + 1.5 * z * dir);
      means.push_back(utts.back().mean(0));
    }
    if (basic) basic->push_back(speaker_cosine_similarity(means));
    out.push_back(std::move(utts));
  }
  return out;
}

TEST(ImprovedSpeakerAttack, RecoversAPlantedSignal) {
  at::manual_seed(7);
  std::vector<double> aux_scores;
  auto aux = speakers(40, 0.0, 1.0, &aux_scores);
  auto members = speakers(20, 0.7, 1.0, nullptr);
  auto nonmembers = speakers(20, 0.0, 0.3, nullptr);
  SpeakerAttackConfig config;
  config.k = 6;
  config.train.learning_rate = 3e-3;
  config.train.max_epochs = 30;
  config.train.seed = 1;
  ImprovedSpeakerAttack attack(config);
  attack.fit(aux, aux_scores);
  auto m = attack.score(members), n = attack.score(nonmembers);
  for (double s : m) EXPECT_TRUE(s >= 0 && s <= 1);
  EXPECT_GT(auc(m, n), 0.8);
  EXPECT_EQ(attack.pseudo_labels().train_seen.size(), 6u);

  config.k = 11;  // 44 speakers needed
  EXPECT_THROW(ImprovedSpeakerAttack(config).fit(aux, aux_scores), InvalidArgument);
  auto one_utt = aux;
  one_utt[0].resize(1);
  EXPECT_THROW(ImprovedSpeakerAttack(SpeakerAttackConfig{}).fit(one_utt, aux_scores), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::attack
