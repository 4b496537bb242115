// wav2vec 2.0's contrastive objective: its draws, its quantiser, its loss against a direct computation, training
// that lowers it, and the model directory it writes (an HF Wav2Vec2 directory with ForPreTraining head keys).
#include "speechleak/train/wav2vec2_objective.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/train/encoder_forward.h"
#include "speechleak/train/model_init.h"
#include "speechleak/train/pretrain.h"
#include "speechleak/train/trainer.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

namespace fs = std::filesystem;

at::Tensor mask_of(const std::vector<std::vector<int>>& rows, int64_t frames) {
  auto m = at::zeros({static_cast<int64_t>(rows.size()), frames}, at::kBool);
  for (size_t b = 0; b < rows.size(); ++b)
    for (int t : rows[b]) m[b][t] = true;
  return m;
}

TEST(SampleNegatives, DrawsOtherMaskedFramesOfTheSameUtteranceOnly) {
  // Masked rows in order: utterance 0 -> 0..2, utterance 1 -> 3 (alone), utterance 2 -> 4..7.
  auto mask = mask_of({{1, 2, 5}, {0}, {3, 4, 7, 8}}, 10);
  auto neg = sample_negatives(mask, 50, {11, 12, 13});
  ASSERT_EQ(neg.sizes(), (at::IntArrayRef{8, 50}));
  auto a = neg.accessor<int64_t, 2>();
  std::set<int64_t> seen0;
  for (int k = 0; k < 50; ++k) {
    for (int r = 0; r < 3; ++r) {
      EXPECT_TRUE(a[r][k] >= 0 && a[r][k] <= 2 && a[r][k] != r) << r << " " << a[r][k];
      seen0.insert(a[r][k]);
    }
    EXPECT_EQ(a[3][k], -1);  // a single masked frame has no distractor
    for (int r = 4; r < 8; ++r) EXPECT_TRUE(a[r][k] >= 4 && a[r][k] <= 7 && a[r][k] != r) << r << " " << a[r][k];
  }
  EXPECT_EQ(seen0.size(), 3u);
  // Seeded per utterance: the same seeds give the same draws, and an utterance's draws do not depend on the
  // others in its batch (utterance 2 alone, its rows shifted to 0..3).
  EXPECT_TRUE(at::equal(neg, sample_negatives(mask, 50, {11, 12, 13})));
  auto alone = sample_negatives(mask_of({{3, 4, 7, 8}}, 10), 50, {13});
  EXPECT_TRUE(at::equal(alone + 4, neg.narrow(0, 4, 4)));
  EXPECT_FALSE(at::equal(neg, sample_negatives(mask, 50, {11, 12, 14})));
  EXPECT_THROW(sample_negatives(mask, 5, {1, 2}), InvalidArgument);
}

TEST(MaskedUniform, GivesSeededDrawsPerMaskedFrame) {
  auto mask = mask_of({{0, 3}, {1, 2, 4}}, 6);
  auto u = masked_uniform(mask, 7, {5, 6});
  ASSERT_EQ(u.sizes(), (at::IntArrayRef{5, 7}));
  EXPECT_GE(u.min().item<float>(), 0.0f);
  EXPECT_LT(u.max().item<float>(), 1.0f);
  EXPECT_TRUE(at::equal(u.narrow(0, 2, 3), masked_uniform(mask_of({{1, 2, 4}}, 6), 7, {6})));
}

TEST(GumbelQuantizer, PicksOneCodevectorPerGroupAndPassesGradientsThrough) {
  torch::manual_seed(3);
  QuantizerConfig qc;
  qc.groups = 2;
  qc.entries = 5;
  GumbelQuantizer q(8, qc, 6);
  ASSERT_EQ(q->codevectors.sizes(), (at::IntArrayRef{1, 10, 3}));
  auto x = at::randn({4, 8}).requires_grad_(true);
  auto u = at::rand({4, 10});
  auto out = q->forward(x, u, 2.0);
  ASSERT_EQ(out.quantized.sizes(), (at::IntArrayRef{4, 6}));
  // Each group's half of a row is one of that group's codevectors.
  auto books = q->codevectors.detach().view({2, 5, 3});
  for (int n = 0; n < 4; ++n)
    for (int g = 0; g < 2; ++g) {
      auto part = out.quantized.detach()[n].narrow(0, 3 * g, 3);
      bool found = false;
      for (int v = 0; v < 5; ++v) found = found || at::allclose(part, books[g][v], 1e-6, 1e-6);
      EXPECT_TRUE(found) << "row " << n << " group " << g;
    }
  EXPECT_GE(out.code_perplexity, 2.0 - 1e-6);  // at least one entry per group
  EXPECT_LE(out.code_perplexity, 8.0 + 1e-6);  // at most 4 distinct rows per group
  // Straight-through: the hard choice still passes a gradient to the logits and the input.
  (out.quantized.sum() + out.prob_perplexity).backward();
  EXPECT_GT(q->weight_proj->weight.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(x.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(q->codevectors.grad().abs().sum().item<double>(), 0.0);
  EXPECT_THROW(q->forward(x, at::rand({4, 9}), 2.0), InvalidArgument);
}

TEST(GroupPerplexity, IsTheExponentiatedEntropySummedOverGroups) {
  auto uniform = at::full({2, 4}, 0.25);
  EXPECT_NEAR(group_perplexity(uniform).item<double>(), 8.0, 1e-5);
  auto peaked = at::tensor({1.0, 0.0, 0.0, 0.0}).view({1, 4});
  EXPECT_NEAR(group_perplexity(peaked).item<double>(), 1.0, 1e-5);
}

// Six 1.2 s utterances, no labels: the objective needs none.
TrainingSet unlabelled_set() {
  TrainingSet set;
  for (int i = 0; i < 6; ++i) {
    TrainUtterance u;
    u.id = "u" + std::to_string(i);
    u.speaker_id = "s" + std::to_string(i % 2);
    u.audio = at::tensor(test::speechish(1.2, 300 + i), at::kFloat);
    set.utterances.push_back(u);
  }
  return set;
}

PretrainConfig wav2vec2_config() {
  auto c = test::tiny_config();
  c.objective = "wav2vec2";
  c.model = testing::tiny_encoder_config("wav2vec2");
  c.wav2vec2.quantizer.entries = 16;
  c.wav2vec2.loss.negatives = 10;
  c.wav2vec2.masking.prob = 0.15;
  return c;
}

// The objective's loss, assembled again here one frame at a time from the same forward pass.
TEST(Wav2Vec2Objective, LossMatchesADirectComputation) {
  auto c = wav2vec2_config();
  c.wav2vec2.masking.prob = 0.3;
  torch::manual_seed(5);
  auto model = init_encoder_model(c.model);
  Wav2Vec2Objective objective(c.wav2vec2, c.seed);
  objective.build(c.model);
  auto set = unlabelled_set();
  auto batch = make_batch(set, {0, 1, 2}, 0, c);
  objective.prepare(batch, 0);
  const auto& neg = batch.extras.at("negatives");
  ASSERT_EQ(neg.size(0), batch.mask.sum().item<int64_t>());
  auto got = objective.contrastive_loss(model, batch);

  at::NoGradGuard no_grad;
  auto parts = masked_forward_parts(model, batch.waveforms, batch.lengths, batch.mask, 1.0);
  auto rows = batch.mask.reshape({-1}).nonzero().squeeze(1);
  const int64_t n = rows.numel(), k = neg.size(1);
  auto z = parts.normalized.reshape({-1, parts.normalized.size(-1)}).index_select(0, rows);
  auto q = objective.quantizer->forward(z, batch.extras.at("gumbel_uniform"), objective.gumbel_temperature());
  auto y = objective.project_q->forward(q.quantized);
  auto x = objective.project_hid->forward(parts.hidden.reshape({-1, parts.hidden.size(-1)}).index_select(0, rows));
  auto cosine = [](const at::Tensor& a, const at::Tensor& b) {
    return (a * b).sum().item<double>() / std::max(a.norm().item<double>() * b.norm().item<double>(), 1e-8);
  };
  double ce = 0, surely_right = 0, maybe_right = 0;  // float and double may order near-ties differently
  int64_t used = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (neg[i][0].item<int64_t>() < 0) continue;
    const double pos = cosine(x[i], y[i]) / 0.1;
    double denom = std::exp(pos), best = -1e300;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t r = neg[i][j].item<int64_t>();
      if (at::equal(q.codes[r], q.codes[i])) continue;  // quantised to the target's own codevectors
      auto other = y[r];
      const double l = cosine(x[i], other) / 0.1;
      denom += std::exp(l);
      best = std::max(best, l);
    }
    ce += std::log(denom) - pos;
    surely_right += pos > best + 1e-4;
    maybe_right += pos > best - 1e-4;
    ++used;
  }
  ASSERT_GT(used, 10);
  EXPECT_NEAR(got.contrastive, ce / used, 1e-4);
  EXPECT_GE(got.accuracy, surely_right / used - 1e-12);
  EXPECT_LE(got.accuracy, maybe_right / used + 1e-12);
  EXPECT_GT(maybe_right, 0);
  const double gv = 2 * 16;
  EXPECT_NEAR(got.diversity, (gv - q.prob_perplexity.item<double>()) / gv, 1e-6);
  double pen = 0;
  int64_t frames = 0;
  for (int64_t b = 0; b < 3; ++b) {
    const int64_t f = batch.frame_lengths[b].item<int64_t>();
    pen += parts.features[b].narrow(0, 0, f).pow(2).sum().item<double>();
    frames += f * parts.features.size(2);
  }
  EXPECT_NEAR(got.feature_penalty, pen / frames, 1e-6);
  EXPECT_NEAR(got.loss.item<double>(), got.contrastive + 0.1 * got.diversity + 10 * got.feature_penalty, 1e-4);
  EXPECT_EQ(got.masked_frames, n);
}

TEST(Wav2Vec2Objective, TrainingLowersTheContrastiveLossAndAnnealsTheTemperature) {
  auto c = wav2vec2_config();
  c.epochs = 15;  // 2 batches per epoch
  c.optim.lr = 3e-3;
  auto set = unlabelled_set();
  Trainer t(c, set, 0);
  EXPECT_EQ(t.objective().name(), "wav2vec2");
  EXPECT_EQ(train_log_header(t.objective()),
            "step,epoch,loss,contrastive_loss,diversity_loss,feature_penalty,accuracy,code_perplexity,"
            "gumbel_temperature,lr,grad_norm,seconds,audio_seconds,masked_frames\n");
  std::vector<double> contrastive, temperature;
  TrainerHooks hooks;
  hooks.on_step = [&](const StepLog& s) {
    contrastive.push_back(s.metric("contrastive_loss"));
    temperature.push_back(s.metric("gumbel_temperature"));
  };
  t.run({}, hooks);
  ASSERT_EQ(contrastive.size(), 30u);
  const double first = (contrastive[0] + contrastive[1] + contrastive[2]) / 3;
  const double last = (contrastive[27] + contrastive[28] + contrastive[29]) / 3;
  EXPECT_LT(last, first - 0.2) << "first " << first << " last " << last;
  EXPECT_DOUBLE_EQ(temperature[0], 2.0);
  EXPECT_NEAR(temperature[29], 2.0 * std::pow(0.999995, 29), 1e-12);

  // Annealed over half of a 30-step run: 2 -> 0.5 at step 15, then held at the floor.
  c.wav2vec2.quantizer.gumbel_anneal_fraction = 0.5;
  Wav2Vec2Objective annealed(c.wav2vec2, c.seed);
  annealed.build(c.model);
  annealed.plan(30);
  annealed.before_step(15, t.model());
  EXPECT_NEAR(annealed.gumbel_temperature(), 0.5, 1e-9);
  annealed.before_step(5, t.model());
  EXPECT_NEAR(annealed.gumbel_temperature(), 2.0 * std::pow(0.25, 5.0 / 15.0), 1e-9);
  annealed.before_step(29, t.model());
  EXPECT_DOUBLE_EQ(annealed.gumbel_temperature(), 0.5);
}

TEST(Wav2Vec2Pretraining, WritesAnHfWav2Vec2DirectoryWithForPreTrainingHeadsAndResumes) {
  testing::TempDir dir;
  auto corpus = test::write_tiny_corpus(dir / "corpus");
  auto c = wav2vec2_config();
  c.corpus = corpus.spec;
  c.epochs = 2;
  auto full = run_pretraining(c, dir / "full");
  EXPECT_TRUE(full.finished);
  const auto out = dir / "full";
  EXPECT_FALSE(fs::exists(out / "targets.safetensors"));
  EXPECT_EQ(full.metadata["objective"]["name"], "wav2vec2");
  EXPECT_EQ(full.metadata["objective"]["quantizer"]["codevector_dim"], 32);

  auto config = nlohmann::json::parse(read_text_file(out / "config.json"));
  EXPECT_EQ(config["model_type"], "wav2vec2");
  EXPECT_EQ(config["num_codevector_groups"], 2);
  EXPECT_EQ(config["num_codevectors_per_group"], 16);
  EXPECT_EQ(config["codevector_dim"], 32);
  EXPECT_EQ(config["proj_codevector_dim"], 32);
  EXPECT_EQ(config["num_negatives"], 10);
  auto heads = encoder::load_tensors(out / "pretraining_head.safetensors");
  const std::map<std::string, std::vector<int64_t>> expected = {
      {"quantizer.codevectors", {1, 32, 16}},  {"quantizer.weight_proj.weight", {32, 16}},
      {"quantizer.weight_proj.bias", {32}},    {"project_q.weight", {32, 32}},
      {"project_q.bias", {32}},                {"project_hid.weight", {32, 32}},
      {"project_hid.bias", {32}}};
  ASSERT_EQ(heads.size(), expected.size());
  for (const auto& [key, shape] : expected) {
    ASSERT_TRUE(heads.count(key)) << key;
    EXPECT_EQ(heads.at(key).sizes().vec(), shape) << key;
  }

  auto enc = encoder::load_encoder(out);
  EXPECT_EQ(enc->metadata().family, "wav2vec2");
  // The same weights as one Wav2Vec2ForPreTraining state dict ("wav2vec2." prefix plus the heads) load too, the
  // heads listed as ignored.
  std::vector<std::pair<std::string, at::Tensor>> merged;
  for (const auto& [k, v] : encoder::load_tensors(out / "model.safetensors")) merged.emplace_back("wav2vec2." + k, v);
  for (const auto& [k, v] : heads) merged.emplace_back(k, v);
  const auto joined = dir / "for_pretraining";
  fs::create_directories(joined);
  fs::copy_file(out / "config.json", joined / "config.json");
  encoder::save_tensors(joined / "model.safetensors", merged);
  auto loaded = encoder::load_hf_directory(joined);
  EXPECT_EQ(loaded.report.prefix, "wav2vec2.");
  EXPECT_EQ(loaded.report.ignored_keys.size(), expected.size());
  auto a = at::tensor(test::speechish(0.7, 9), at::kFloat).unsqueeze(0);
  auto l = at::full({1}, a.size(1), at::kLong);
  EXPECT_TRUE(at::equal(loaded.model->forward(a, l), encoder::load_hf_directory(out).model->forward(a, l)));

  auto first = c;
  first.max_steps = 1;
  run_pretraining(first, dir / "resumed");
  PretrainOptions resume;
  resume.resume = true;
  EXPECT_TRUE(run_pretraining(c, dir / "resumed", resume).finished);
  EXPECT_EQ(test::train_log_without_seconds(out / "train_log.csv"),
            test::train_log_without_seconds(dir / "resumed" / "train_log.csv"));
  auto w1 = encoder::load_tensors(out / "model.safetensors");
  auto w2 = encoder::load_tensors(dir / "resumed" / "model.safetensors");
  for (const auto& [k, v] : w1) EXPECT_TRUE(at::equal(v, w2.at(k))) << k;
  auto h2 = encoder::load_tensors(dir / "resumed" / "pretraining_head.safetensors");
  for (const auto& [k, v] : heads) EXPECT_TRUE(at::equal(v, h2.at(k))) << k;
}

}  // namespace
}  // namespace speechleak::train
