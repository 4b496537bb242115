// CTC fine-tuning through the generic training loop: the loss falls, freezing freezes, labels come from
// transcripts.
#include "speechleak/asr/ctc_objective.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "speechleak/train/trainer.h"
#include "speechleak/util/error.h"
#include "support/test_support.h"
#include "support/tiny_encoder.h"

namespace speechleak::asr {
namespace {

train::TrainingConfig tiny_loop() {
  train::TrainingConfig c;
  c.corpus = "unused";
  c.model = testing::tiny_encoder_config("wav2vec2");
  c.data.batch_size = 2;
  c.data.normalization = "none";
  c.data.min_seconds = 0.1;
  c.optim.lr = 3e-3;
  c.optim.decay = "constant";
  c.optim.warmup_fraction = 0.0;
  c.seed = 3;
  return c;
}

// Four "utterances": a tone per letter, so labels are learnable from the audio.
train::TrainingSet tone_set(const Vocabulary& v) {
  train::TrainingSet set;
  const std::vector<std::string> texts = {"AB", "BA", "A B", "BB A"};
  for (size_t i = 0; i < texts.size(); ++i) {
    train::TrainUtterance u;
    u.id = "u" + std::to_string(i);
    u.speaker_id = "s";
    u.transcript = texts[i];
    std::vector<float> samples;
    for (char ch : texts[i]) {
      const double f = ch == 'A' ? 300 : ch == 'B' ? 900 : 0;
      for (int n = 0; n < 3200; ++n) samples.push_back(static_cast<float>(0.5 * std::sin(2 * M_PI * f * n / 16000)));
    }
    u.audio = at::tensor(samples, at::kFloat);
    set.utterances.push_back(u);
  }
  auto r = attach_transcript_labels(set, v, OovPolicy::Unk);
  EXPECT_EQ(r.labelled, 4u);
  return set;
}

std::vector<at::Tensor> copies(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone());
  return out;
}

std::vector<train::StepLog> logs_of(train::Trainer& t, const std::filesystem::path& out = {}) {
  std::vector<train::StepLog> logs;
  train::TrainerHooks hooks;
  hooks.on_step = [&](const train::StepLog& s) { logs.push_back(s); };
  t.run(out, hooks);
  return logs;
}

std::vector<double> losses_of(train::Trainer& t, const std::filesystem::path& out = {}) {
  std::vector<double> l;
  for (const auto& s : logs_of(t, out)) l.push_back(s.loss);
  return l;
}

bool all_equal(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (!at::equal(a[i], b[i])) return false;
  return true;
}

TEST(CtcObjective, FineTuningLowersTheLoss) {
  const auto v = Vocabulary::characters();
  auto set = tone_set(v);
  auto c = tiny_loop();
  c.epochs = 40;
  CtcConfig ctc;
  ctc.mask_time_prob = 0.0;
  ctc.final_dropout = 0.0;
  train::Trainer t(c, set, std::make_unique<CtcObjective>(ctc, v, c.seed));
  EXPECT_EQ(train::train_log_header(t.objective()),
            "step,epoch,loss,lr,grad_norm,seconds,audio_seconds,labels,infeasible\n");
  const auto logs = logs_of(t);
  std::vector<double> losses;
  for (const auto& s : logs) {
    losses.push_back(s.loss);
    EXPECT_EQ(s.counts[1].second, 0) << "every utterance has frames enough for its labels";
  }
  ASSERT_EQ(losses.size(), 80u);
  EXPECT_TRUE(std::isfinite(losses.front()));
  EXPECT_LT(losses.back(), 0.5 * losses.front()) << losses.front() << " -> " << losses.back();
}

TEST(CtcObjective, FreezingKeepsTheEncoderThenOnlyTheFeatureEncoder) {
  const auto v = Vocabulary::characters();
  auto set = tone_set(v);
  auto c = tiny_loop();
  c.epochs = 3;  // 6 steps
  CtcConfig ctc;
  ctc.freeze_steps = 4;
  auto objective = std::make_unique<CtcObjective>(ctc, v, c.seed);
  auto* o = objective.get();
  train::Trainer t(c, set, std::move(objective));
  const auto transformer0 = copies(t.model()->encoder->parameters());
  const auto extractor0 = copies(t.model()->feature_extractor->parameters());
  const auto head0 = copies(o->lm_head()->parameters());
  train::TrainerHooks hooks;
  int steps = 0;
  hooks.on_step = [&](const train::StepLog& s) {
    ++steps;
    if (s.step == 4) {
      EXPECT_TRUE(all_equal(transformer0, copies(t.model()->encoder->parameters()))) << "frozen for 4 steps";
      EXPECT_FALSE(all_equal(head0, copies(o->lm_head()->parameters()))) << "the head trains from the start";
    }
  };
  t.run({}, hooks);
  EXPECT_EQ(steps, 6);
  EXPECT_FALSE(o->encoder_frozen());
  EXPECT_FALSE(all_equal(transformer0, copies(t.model()->encoder->parameters()))) << "unfrozen after step 4";
  EXPECT_TRUE(all_equal(extractor0, copies(t.model()->feature_extractor->parameters()))) << "never trained";
}

// Across the unfreeze step: the Adam state of parameters that had no gradient yet must restore too.
TEST(CtcObjective, ResumeAcrossTheUnfreezeStepEqualsAnUninterruptedRun) {
  const auto v = Vocabulary::characters();
  auto set = tone_set(v);
  auto c = tiny_loop();
  c.epochs = 3;
  CtcConfig ctc;
  ctc.freeze_steps = 2;
  train::Trainer straight(c, set, std::make_unique<CtcObjective>(ctc, v, c.seed));
  const auto all = losses_of(straight);
  ASSERT_EQ(all.size(), 6u);
  testing::TempDir dir;
  auto first = c;
  first.max_steps = 3;
  train::Trainer a(first, set, std::make_unique<CtcObjective>(ctc, v, c.seed));
  losses_of(a, dir.path());
  train::Trainer b(c, set, std::make_unique<CtcObjective>(ctc, v, c.seed));
  b.resume_from(*train::latest_checkpoint(dir.path()));
  const auto rest = losses_of(b);
  ASSERT_EQ(rest.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(rest[i], all[3 + i]) << "step " << 4 + i;
  auto p1 = straight.model()->parameters(), p2 = b.model()->parameters();
  for (size_t i = 0; i < p1.size(); ++i) EXPECT_TRUE(at::equal(p1[i], p2[i])) << i;
}

TEST(CtcObjective, UtterancesWithoutTranscriptsAreSkippedAndCounted) {
  const auto v = Vocabulary::characters();
  train::TrainingSet set;
  for (const char* text : {"HELLO", "", "?!", "caf\xc3\xa9"}) {
    train::TrainUtterance u;
    u.id = std::string("u") + std::to_string(set.utterances.size());
    u.transcript = std::string(text);
    u.audio = at::zeros({1600});
    set.utterances.push_back(u);
  }
  train::TrainUtterance none;
  none.id = "u4";
  none.audio = at::zeros({1600});
  set.utterances.push_back(none);
  const auto r = attach_transcript_labels(set, v, OovPolicy::Unk);
  EXPECT_EQ(r.labelled, 2u);  // HELLO, CAF[UNK][UNK]
  EXPECT_EQ(r.unknown_characters, 2u);
  ASSERT_EQ(r.skipped.size(), 3u);
  EXPECT_EQ(set.utterances.size(), 2u);
  EXPECT_EQ(set.utterances[0].labels.size(0), 5);
  CtcConfig bad;
  bad.mask_time_length = 0;
  EXPECT_THROW(CtcObjective(bad, v, 1), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::asr
