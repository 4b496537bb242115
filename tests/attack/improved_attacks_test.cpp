#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdio>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/attack/improved_attacks.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

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
// are noise plus 2.5 z along feature 0, so higher z means frames that agree with each other (lower cosine
// distance), plus 2.5 q along feature 1 with q in [-1, 1] drawn independently of membership (a nuisance the basic
// score also sees). The auxiliary set spans z in [0, 1]; evaluation members have z in [0.6, 1], non-members
// [0, 0.4]. A network that has not learnt which feature matters mixes the two.
at::Tensor utterance(double z, int64_t frames) {
  auto x = at::randn({frames, 16});
  x.select(1, 0) += 2.5 * z;
  x.select(1, 1) += 2.5 * (2 * at::rand({1}).item<double>() - 1);
  return x;
}

struct Planted {
  std::vector<at::Tensor> aux, members, nonmembers;
  std::vector<double> aux_scores;
};

Planted plant(int seed) {
  at::manual_seed(seed);
  Planted p;
  for (int i = 0; i < 160; ++i) {
    p.aux.push_back(utterance(at::rand({1}).item<double>(), 20 + i % 17));
    p.aux_scores.push_back(utterance_cosine_distance(p.aux.back()));
  }
  for (int i = 0; i < 60; ++i) {
    p.members.push_back(utterance(0.6 + 0.4 * at::rand({1}).item<double>(), 20 + i % 13));
    p.nonmembers.push_back(utterance(0.4 * at::rand({1}).item<double>(), 20 + i % 11));
  }
  return p;
}

UtteranceAttackConfig fast_config() {
  UtteranceAttackConfig c;
  c.k = 30;
  c.seen_end = ScoreDirection::Low;  // planted members have LOWER cosine distance
  c.train.learning_rate = 3e-3;
  c.train.max_epochs = 25;
  c.train.seed = 5;
  return c;
}

// The controls of a learned attack: the same network untrained (a learning rate too small to move its initial
// weights), and trained on pseudo-labels from shuffled basic scores (no membership information).
template <class Config>
Config untrained(Config c) {
  c.train.learning_rate = 1e-12;
  c.train.max_epochs = 1;
  return c;
}

// A control's AUC in its better orientation: random features can rank the planted signal either way round, and
// only training on the pseudo-labels says which way; the trained attacker must beat even the better one.
double best_orientation(double auc) { return std::max(auc, 1.0 - auc); }

std::vector<double> shuffled(std::vector<double> scores) {
  seeded_shuffle(scores, 3);
  return scores;
}

TEST(ImprovedUtteranceAttack, RecoversAPlantedSignalAndBeatsItsControls) {
  auto p = plant(1);
  ImprovedUtteranceAttack attack(fast_config());
  auto log = attack.fit(p.aux, p.aux_scores);
  EXPECT_GE(log.best_epoch, 1);
  const double real = auc(attack.score(p.members), attack.score(p.nonmembers));

  ImprovedUtteranceAttack shuffled_control(fast_config());
  shuffled_control.fit(p.aux, shuffled(p.aux_scores));
  const double shuffled_auc = auc(shuffled_control.score(p.members), shuffled_control.score(p.nonmembers));
  ImprovedUtteranceAttack untrained_control(untrained(fast_config()));
  untrained_control.fit(p.aux, p.aux_scores);
  const double untrained_auc = auc(untrained_control.score(p.members), untrained_control.score(p.nonmembers));
  std::printf("utterance attacker AUC: trained %.3f, shuffled labels %.3f, untrained %.3f\n", real, shuffled_auc,
              untrained_auc);

  EXPECT_GT(real, 0.85);
  EXPECT_GT(real, best_orientation(shuffled_auc) + 0.1);
  EXPECT_GT(real, best_orientation(untrained_auc) + 0.1);
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

struct SpeakerRun {
  double trained = 0, shuffled = 0, untrained = 0;
  int best_epoch = 0;
};

SpeakerRun speaker_attack_and_controls(const SpeakerAttackConfig& config, const std::vector<SpeakerFrames>& aux,
                                       const std::vector<double>& aux_scores, const std::vector<SpeakerFrames>& members,
                                       const std::vector<SpeakerFrames>& nonmembers) {
  auto auc_of = [&](const ImprovedSpeakerAttack& a) { return auc(a.score(members), a.score(nonmembers)); };
  SpeakerRun r;
  ImprovedSpeakerAttack attack(config), shuffled_control(config), untrained_control(untrained(config));
  r.best_epoch = attack.fit(aux, aux_scores).best_epoch;
  shuffled_control.fit(aux, shuffled(aux_scores));
  untrained_control.fit(aux, aux_scores);
  r.trained = auc_of(attack), r.shuffled = auc_of(shuffled_control), r.untrained = auc_of(untrained_control);
  std::printf("speaker attacker AUC: trained %.3f (best epoch %d), shuffled labels %.3f, untrained %.3f\n",
              r.trained, r.best_epoch, r.shuffled, r.untrained);
  return r;
}

SpeakerAttackConfig speaker_config() {
  SpeakerAttackConfig config;
  config.k = 6;
  config.train.learning_rate = 3e-3;
  config.train.max_epochs = 30;
  config.train.seed = 1;
  return config;
}

// 40 auxiliary speakers over z in [0, 1]; members z in [0.7, 1], non-members [0, 0.3].
struct PlantedSpeakers {
  std::vector<double> aux_scores;
  std::vector<SpeakerFrames> aux, members, nonmembers;
};

PlantedSpeakers plant_speakers() {
  at::manual_seed(7);
  PlantedSpeakers p;
  p.aux = speakers(40, 0.0, 1.0, &p.aux_scores);
  p.members = speakers(20, 0.7, 1.0, nullptr);
  p.nonmembers = speakers(20, 0.0, 0.3, nullptr);
  return p;
}

TEST(ImprovedSpeakerAttack, RecoversAPlantedSignal) {
  auto [aux_scores, aux, members, nonmembers] = plant_speakers();
  auto config = speaker_config();
  ImprovedSpeakerAttack attack(config);
  attack.fit(aux, aux_scores);
  auto m = attack.score(members), n = attack.score(nonmembers);
  for (double s : m) EXPECT_TRUE(s >= 0 && s <= 1);
  EXPECT_GT(auc(m, n), 0.8);
  EXPECT_EQ(attack.pseudo_labels().train_seen.size(), 6u);

  auto wide = members;
  for (auto& u : wide[0]) u = at::randn({15, 17});
  EXPECT_THROW(attack.score(wide), InvalidArgument);  // not the width it was trained on
  config.k = 11;  // 44 speakers needed
  EXPECT_THROW(ImprovedSpeakerAttack(config).fit(aux, aux_scores), InvalidArgument);
  auto one_utt = aux;
  one_utt[0].resize(1);
  EXPECT_THROW(ImprovedSpeakerAttack(SpeakerAttackConfig{}).fit(one_utt, aux_scores), InvalidArgument);
}

// A known limitation, pinned so that it cannot go unnoticed (docs/results.md): the paper's pair network (attentive
// pooling -> Linear -> dot product, no bias) ranks speakers by a random similarity before any training, and its
// validation loss is lowest after the first epoch, so early stopping keeps (almost) the initial weights. What the
// improved speaker attack reports is then its untrained prior: trained, shuffled-label and untrained networks score
// alike. When the attack is fixed to learn, this test fails: replace it by "beats both controls", as the utterance
// attack's test requires.
TEST(ImprovedSpeakerAttack, KnownLimitationTrainingDoesNotBeatItsUntrainedPrior) {
  const auto p = plant_speakers();
  const auto r = speaker_attack_and_controls(speaker_config(), p.aux, p.aux_scores, p.members, p.nonmembers);
  EXPECT_GT(r.untrained, 0.8) << "the untrained pair network already ranks the planted speakers";
  EXPECT_LT(r.trained, best_orientation(r.untrained) + 0.05) << "training now beats the untrained prior";
  EXPECT_LT(r.trained, best_orientation(r.shuffled) + 0.05) << "training now beats the shuffled-label control";
}

}  // namespace
}  // namespace speechleak::attack
