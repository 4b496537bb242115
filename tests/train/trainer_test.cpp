#include "speechleak/train/trainer.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/train/pretrain.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/interrupt.h"
#include "speechleak/util/text.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

using test::speechish;
using test::tiny_config;

// Six 1.2 s utterances with k-means targets, in memory.
TrainingSet tiny_set(const PretrainConfig& c) {
  TrainingSet set;
  std::vector<at::Tensor> waves;
  for (int i = 0; i < 6; ++i) {
    auto s = speechish(1.2, 200 + i);
    TrainUtterance u;
    u.id = "u" + std::to_string(i);
    u.speaker_id = "s" + std::to_string(i % 2);
    u.audio = at::tensor(s, at::kFloat);
    set.utterances.push_back(u);
    waves.push_back(u.audio);
  }
  attach_labels(set, fit_targets(waves, {}, c.hubert.mfcc, c.hubert.kmeans, 3));
  return set;
}

std::vector<double> losses_of(Trainer& t, const std::filesystem::path& out = {}) {
  std::vector<double> losses;
  TrainerHooks hooks;
  hooks.on_step = [&](const StepLog& s) { losses.push_back(s.loss); };
  t.run(out, hooks);
  return losses;
}

TEST(Trainer, AFewStepsReduceTheLoss) {
  auto c = tiny_config();
  c.epochs = 12;  // 2 batches per epoch
  c.hubert.masking.prob = 0.15;
  auto set = tiny_set(c);
  Trainer t(c, set, 8);
  auto l = losses_of(t);
  ASSERT_EQ(l.size(), 24u);
  const double first = (l[0] + l[1] + l[2]) / 3, last = (l[21] + l[22] + l[23]) / 3;
  EXPECT_LT(last, first - 0.2) << "first " << first << " last " << last;
}

TEST(Trainer, LearningRateWarmsUpAndDecays) {
  auto c = tiny_config();
  c.epochs = 10;  // 20 steps, 2 of warm-up
  auto set = tiny_set(c);
  Trainer t(c, set, 8);
  EXPECT_EQ(t.total_steps(), 20);
  EXPECT_NEAR(t.lr_at(0), c.optim.lr / 2, 1e-12);
  EXPECT_NEAR(t.lr_at(1), c.optim.lr, 1e-12);
  EXPECT_GT(t.lr_at(10), t.lr_at(15));
  EXPECT_NEAR(t.lr_at(19), c.optim.lr * (1.0 - 17.0 / 18.0), 1e-12);
}

TEST(Trainer, TriStageScheduleWarmsUpHoldsAndDecaysExponentially) {
  auto c = tiny_config();
  c.epochs = 10;  // 20 steps: 2 of warm-up, 8 held, 10 of decay
  c.optim.decay = "tri-stage";
  c.optim.warmup_fraction = 0.1;
  auto set = tiny_set(c);
  Trainer t(c, set, 8);
  const double lr = c.optim.lr;
  EXPECT_NEAR(t.lr_at(0), 0.01 * lr, 1e-15);
  EXPECT_NEAR(t.lr_at(1), 0.01 * lr + 0.99 * lr / 2, 1e-15);
  for (int s = 2; s < 10; ++s) EXPECT_EQ(t.lr_at(s), lr) << s;
  EXPECT_NEAR(t.lr_at(10), lr * std::pow(0.05, 0.1), 1e-15);
  EXPECT_NEAR(t.lr_at(19), 0.05 * lr, 1e-15);
  c.optim.hold_fraction = 0.95;  // warm-up + hold > all steps
  EXPECT_THROW(c.validate(), InvalidArgument);
}

TEST(Trainer, SavedModelLoadsWithIdenticalOutputs) {
  auto c = tiny_config();
  c.max_steps = 3;
  auto set = tiny_set(c);
  Trainer t(c, set, 8);
  losses_of(t);
  testing::TempDir dir;
  encoder::save_hf_directory(t.model(), dir.path(), /*do_normalize=*/false);
  auto enc = encoder::load_encoder(dir.path());
  auto wave = set.utterances[0].audio;
  auto out = enc->encode(wave.unsqueeze(0), at::full({1}, wave.size(0), at::kLong));
  t.model()->eval();
  at::NoGradGuard no_grad;
  auto ref = t.model()->forward(wave.unsqueeze(0));
  const int last = c.model.num_hidden_layers;
  auto got = out.utterance(last, 0);
  ASSERT_EQ(got.sizes(), ref[0].sizes());
  EXPECT_LE((got - ref[0]).abs().max().item<double>() / ref.abs().max().item<double>(), 1e-5);
  EXPECT_FALSE(at::equal(ref, encoder::Wav2Vec2Model(c.model)->forward(wave.unsqueeze(0))));  // weights matter
}

TEST(Trainer, ResumeContinuesWithIdenticalOptimiserStateAndLosses) {
  auto c = tiny_config();
  c.epochs = 3;  // 6 steps
  auto set = tiny_set(c);
  Trainer straight(c, set, 8);
  auto all = losses_of(straight);
  ASSERT_EQ(all.size(), 6u);

  testing::TempDir dir;
  auto first_half = c;
  first_half.max_steps = 3;  // stops mid-epoch (epoch 1, batch 1)
  Trainer a(first_half, set, 8);
  auto head = losses_of(a, dir.path());
  ASSERT_EQ(head.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(head[i], all[i]) << "step " << i + 1;
  Trainer b(c, set, 8);
  b.resume_from(*latest_checkpoint(dir.path()));
  {
    auto pa = a.model()->parameters(), pb = b.model()->parameters();
    for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(at::equal(pa[i], pb[i])) << "restored parameter " << i;
    for (size_t i = 0; i < pa.size(); ++i) {
      auto& s1 = static_cast<torch::optim::AdamWParamState&>(*a.optimizer().state().at(c10::guts::to_string(pa[i].unsafeGetTensorImpl())));
      auto& s2 = static_cast<torch::optim::AdamWParamState&>(*b.optimizer().state().at(c10::guts::to_string(pb[i].unsafeGetTensorImpl())));
      EXPECT_EQ(s1.step(), s2.step()) << "restored step " << i;
      EXPECT_TRUE(at::equal(s1.exp_avg(), s2.exp_avg())) << "restored exp_avg " << i;
      EXPECT_TRUE(at::equal(s1.exp_avg_sq(), s2.exp_avg_sq())) << "restored exp_avg_sq " << i;
    }
    for (size_t g = 0; g < 2; ++g) {
      auto& o1 = static_cast<torch::optim::AdamWOptions&>(a.optimizer().param_groups()[g].options());
      auto& o2 = static_cast<torch::optim::AdamWOptions&>(b.optimizer().param_groups()[g].options());
      EXPECT_EQ(o1.weight_decay(), o2.weight_decay()) << g;
      EXPECT_EQ(o1.eps(), o2.eps()) << g;
      EXPECT_EQ(std::get<1>(o1.betas()), std::get<1>(o2.betas())) << g;
    }
    auto ha = a.head_parameters(), hb = b.head_parameters();
    for (size_t i = 0; i < ha.size(); ++i) EXPECT_TRUE(at::equal(ha[i], hb[i])) << "restored head " << i;
  }
  EXPECT_EQ(b.position().step, 3);
  EXPECT_EQ(b.position().epoch, 1);
  EXPECT_EQ(b.position().batch, 1);
  auto rest = losses_of(b);
  ASSERT_EQ(rest.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(rest[i], all[3 + i]) << "step " << 4 + i;  // bitwise
  auto p1 = straight.model()->parameters(), p2 = b.model()->parameters();
  for (size_t i = 0; i < p1.size(); ++i) EXPECT_TRUE(at::equal(p1[i], p2[i])) << "parameter " << i;
  // Adam moments and step counts are the same too.
  const auto& st1 = straight.optimizer().state();
  const auto& st2 = b.optimizer().state();
  ASSERT_EQ(st1.size(), st2.size());
  for (size_t i = 0; i < p1.size(); ++i) {
    auto& s1 = static_cast<torch::optim::AdamWParamState&>(*st1.at(c10::guts::to_string(p1[i].unsafeGetTensorImpl())));
    auto& s2 = static_cast<torch::optim::AdamWParamState&>(*st2.at(c10::guts::to_string(p2[i].unsafeGetTensorImpl())));
    EXPECT_EQ(s1.step(), s2.step());
    EXPECT_TRUE(at::equal(s1.exp_avg(), s2.exp_avg())) << i;
    EXPECT_TRUE(at::equal(s1.exp_avg_sq(), s2.exp_avg_sq())) << i;
  }
}

// Interrupted thrown by the progress callback (the CLI's, on SIGINT/SIGTERM) mid-epoch: the trainer saves a
// checkpoint of the step it finished before the exception leaves, and a resume from it ends where a straight run does.
TEST(Trainer, AnInterruptionFromTheProgressCallbackSavesTheStepItFinished) {
  auto c = tiny_config();
  c.epochs = 3;  // 6 steps, checkpoints only at epoch ends
  auto set = tiny_set(c);
  Trainer straight(c, set, 8);
  auto all = losses_of(straight);

  testing::TempDir dir;
  Trainer a(c, set, 8);
  TrainerHooks hooks;
  hooks.progress = [](const Progress& p) {
    if (p.done == 3) throw Interrupted(15);
  };
  EXPECT_THROW(a.run(dir.path(), hooks), Interrupted);
  const auto checkpoint = latest_checkpoint(dir.path());
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(checkpoint->filename().string(), "step-00000003");  // mid-epoch: no epoch end saved it

  Trainer b(c, set, 8);
  b.resume_from(*checkpoint);
  const auto rest = losses_of(b);
  ASSERT_EQ(rest.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(rest[i], all[3 + i]) << "step " << 4 + i;
  auto p1 = straight.model()->parameters(), p2 = b.model()->parameters();
  for (size_t i = 0; i < p1.size(); ++i) EXPECT_TRUE(at::equal(p1[i], p2[i])) << "parameter " << i;
}

// The whole command path: run_pretraining writes a loadable model, and --resume after a stop gives the same
// training log and weights as an uninterrupted run.
TEST(Pretrain, ResumedRunMatchesUninterruptedRun) {
  testing::TempDir dir;
  auto corpus = test::write_tiny_corpus(dir / "corpus");
  auto c = tiny_config();
  c.corpus = corpus.spec;
  c.epochs = 2;
  c.defenses.silence_names = true;
  auto full = run_pretraining(c, dir / "full");
  EXPECT_TRUE(full.finished);
  EXPECT_EQ(full.position.step, 4);
  EXPECT_EQ(full.metadata["defenses"]["silence_names"]["utterances_silenced"], 2);
  auto enc = encoder::load_encoder(dir / "full");
  EXPECT_EQ(enc->metadata().layers, 2);

  auto first = c;
  first.max_steps = 1;
  auto part = run_pretraining(first, dir / "resumed");
  EXPECT_FALSE(part.finished);
  EXPECT_THROW(run_pretraining(c, dir / "resumed"), Error);  // without --resume
  PretrainOptions resume;
  resume.resume = true;
  auto other = c;
  other.seed = 99;
  EXPECT_THROW(run_pretraining(other, dir / "resumed", resume), Error);  // a different run
  auto done = run_pretraining(c, dir / "resumed", resume);
  EXPECT_TRUE(done.finished);

  EXPECT_EQ(test::train_log_without_seconds(dir / "full" / "train_log.csv"),
            test::train_log_without_seconds(dir / "resumed" / "train_log.csv"));
  auto w1 = encoder::load_tensors(dir / "full" / "model.safetensors");
  auto w2 = encoder::load_tensors(dir / "resumed" / "model.safetensors");
  ASSERT_EQ(w1.size(), w2.size());
  for (const auto& [k, v] : w1) EXPECT_TRUE(at::equal(v, w2.at(k))) << k;
}

// Debian's libtorch 1.13.1 returns garbage from gelu's backward when the incoming gradient is not contiguous,
// as it is behind the extractor's transpose; encoder::activate works around it while gradients are needed.
TEST(Trainer, ExtractorGradientsAreRepeatableAndFinite) {
  at::manual_seed(0);
  auto m = encoder::Wav2Vec2Model(tiny_config().model);
  auto x = at::randn({2, 8000});
  auto up = at::randn({2, 24, 16});
  auto w0 = m->named_parameters()["feature_extractor.conv_layers.0.conv.weight"];
  std::vector<at::Tensor> grads;
  for (int rep = 0; rep < 3; ++rep) {
    m->zero_grad();
    (m->feature_extractor->forward(x).features * up).sum().backward();
    grads.push_back(w0.grad().clone());
  }
  EXPECT_TRUE(at::isfinite(grads[0]).all().item<bool>());
  EXPECT_GT(grads[0].abs().max().item<double>(), 0.0);
  EXPECT_TRUE(at::equal(grads[0], grads[1]));
  EXPECT_TRUE(at::equal(grads[0], grads[2]));
}

TEST(Trainer, TrainingIsDeterministic) {
  auto c = tiny_config();
  auto set = tiny_set(c);
  Trainer x(c, set, 8), y(c, set, 8);
  testing::TempDir dir;
  auto lx = losses_of(x), ly = losses_of(y, dir.path());  // checkpointing changes nothing
  ASSERT_EQ(lx.size(), 6u);
  for (size_t i = 0; i < lx.size(); ++i) EXPECT_EQ(lx[i], ly[i]) << "step " << i + 1;
}

}  // namespace
}  // namespace speechleak::train
