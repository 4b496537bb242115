// TERA's objective: its alterations (seeded per utterance, within the valid frames), the altered input, training
// that lowers the reconstruction loss, the model directory it writes, and the configs it refuses.
#include "speechleak/train/tera_objective.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/train/model_init.h"
#include "speechleak/train/presets.h"
#include "speechleak/train/pretrain.h"
#include "speechleak/train/trainer.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

namespace fs = std::filesystem;

PretrainConfig tera_config() {
  auto c = test::tiny_config();
  c.objective = "tera";
  c.model = testing::tiny_encoder_config("hubert");
  c.model.model_type = "tera";
  c.model.layer_norm_eps = 1e-12;
  c.model.feat_proj_layer_norm = false;
  return c;
}

TrainingSet speech_set(int n = 6) {
  TrainingSet set;
  for (int i = 0; i < n; ++i) {
    TrainUtterance u;
    u.id = "u" + std::to_string(i);
    u.speaker_id = "s" + std::to_string(i % 2);
    u.audio = at::tensor(test::speechish(0.6 + 0.1 * i, 300 + i), at::kFloat);
    set.utterances.push_back(u);
  }
  return set;
}

TEST(TeraObjective, AlterationsAreSeededPerUtteranceAndStayInsideIt) {
  auto c = tera_config();
  c.tera.noise_probability = 1.0;  // every utterance noised, to see where
  TeraObjective objective(c.tera, c.seed);
  objective.build(c.model);
  auto set = speech_set();
  auto a = make_batch(set, {0, 1, 2}, 3, c), b = make_batch(set, {5, 1}, 3, c);
  objective.prepare(a, 3);
  objective.prepare(b, 3);
  const auto x = TeraObjective::alteration(a), y = TeraObjective::alteration(b);
  // Utterance u1 (row 1 of both batches) gets the same draws beside different neighbours.
  const int64_t n = a.frame_lengths[1].item<int64_t>();
  EXPECT_TRUE(at::equal(a.mask[1].narrow(0, 0, n), b.mask[1].narrow(0, 0, n)));
  EXPECT_TRUE(at::equal(x.bands[1], y.bands[1]));
  EXPECT_TRUE(at::equal(x.noise[1].narrow(0, 0, n), y.noise[1].narrow(0, 0, n)));
  EXPECT_TRUE(at::equal(x.zeroed[1].narrow(0, 0, n), y.zeroed[1].narrow(0, 0, n)));
  for (int64_t i = 0; i < 3; ++i) {
    const int64_t f = a.frame_lengths[i].item<int64_t>();
    EXPECT_EQ(f, c.model.frames_for(a.lengths[i].item<int64_t>()));
    EXPECT_GT(a.mask[i].sum().item<int64_t>(), 0) << i;
    EXPECT_FALSE((x.zeroed[i] & ~a.mask[i]).any().item<bool>()) << "only time-masked frames are zeroed";
    EXPECT_LE(x.bands[i].sum().item<int64_t>(), 16) << "at most 20% of 80 bands";
    EXPECT_GT(x.noise[i].narrow(0, 0, f).abs().sum().item<double>(), 0.0);
    if (f < x.noise.size(1)) EXPECT_EQ(x.noise[i].narrow(0, f, x.noise.size(1) - f).abs().max().item<float>(), 0.0f);
  }
  // Another epoch draws anew.
  auto e = make_batch(set, {0, 1, 2}, 4, c);
  objective.prepare(e, 4);
  EXPECT_FALSE(at::equal(e.mask, a.mask));
}

TEST(TeraObjective, ReplacedSpansAreReadFromTheSameUtterance) {
  auto c = tera_config();
  c.tera.zero_fraction = 0;
  c.tera.replace_fraction = 1;
  c.tera.time.prob = 0.1;
  TeraObjective objective(c.tera, c.seed);
  objective.build(c.model);
  auto set = speech_set();
  auto batch = make_batch(set, {0, 4}, 0, c);
  objective.prepare(batch, 0);
  const auto a = TeraObjective::alteration(batch);
  EXPECT_FALSE(a.zeroed.any().item<bool>());
  const auto identity = at::arange(a.source.size(1), at::kLong).unsqueeze(0).expand_as(a.source);
  EXPECT_FALSE(((a.source != identity) & ~batch.mask).any().item<bool>()) << "unmasked frames read themselves";
  EXPECT_TRUE((a.source != identity).any().item<bool>());
  for (int64_t i = 0; i < 2; ++i) {
    const int64_t n = batch.frame_lengths[i].item<int64_t>();
    EXPECT_LT(a.source[i].narrow(0, 0, n).max().item<int64_t>(), n) << i;
  }

  // alter_features: frames gathered from their sources, bands and padding zero, noise added.
  TeraAlteration t;
  t.source = at::tensor({1, 1, 2}, at::kLong).view({1, 3});
  t.zeroed = at::tensor({0, 0, 1}, at::kLong).to(at::kBool).view({1, 3});
  t.bands = at::tensor({0, 1}, at::kLong).to(at::kBool).view({1, 2});
  t.noise = at::full({1, 3, 2}, 0.5);
  auto clean = at::arange(6, at::kFloat).view({1, 3, 2});
  auto got = alter_features(clean, at::tensor({2}, at::kLong), t);
  EXPECT_TRUE(at::allclose(got, at::tensor({2.5f, 0.5f, 2.5f, 0.5f, 0.f, 0.f}).view({1, 3, 2}))) << got;
}

TEST(TeraObjective, TrainingLowersTheReconstructionLoss) {
  // Measured on one fixed altered batch of the training utterances before and after: its clean frames are what a
  // model that trained on them learns to reproduce (the per-step log is dominated by which draws a batch got).
  auto c = tera_config();
  c.epochs = 30;  // 2 batches per epoch
  c.optim.lr = 3e-3;
  auto set = speech_set();
  Trainer t(c, set, 0);
  EXPECT_EQ(t.objective().name(), "tera");
  EXPECT_EQ(train_log_header(t.objective()),
            "step,epoch,loss,reconstruction_loss,unaltered_l1,lr,grad_norm,seconds,audio_seconds,altered_frames,"
            "altered_values\n");
  auto fixed = make_batch(set, {0, 1, 2, 3, 4, 5}, 0, c);
  t.objective().prepare(fixed, 0);
  auto loss_now = [&] {
    at::NoGradGuard no_grad;
    return t.objective().loss(t.model(), fixed).metrics;
  };
  const auto before = loss_now();
  int steps = 0;
  TrainerHooks hooks;
  hooks.on_step = [&](const StepLog&) { ++steps; };
  t.run({}, hooks);
  EXPECT_EQ(steps, 2 * c.epochs);
  const auto after = loss_now();
  // Measured: reconstruction 0.581 -> 0.458 (the spans of random syllables stay unpredictable), unaltered values
  // 0.737 -> 0.506.
  EXPECT_LT(after[0], 0.85 * before[0]) << "reconstruction " << before[0] << " -> " << after[0];
  EXPECT_LT(after[1], 0.8 * before[1]) << "unaltered values " << before[1] << " -> " << after[1];
}

TEST(TeraPretraining, WritesATeraDirectoryWithItsSpecHead) {
  testing::TempDir dir;
  auto corpus = test::write_tiny_corpus(dir / "corpus");
  auto c = tera_config();
  c.corpus = corpus.spec;
  c.epochs = 2;
  auto result = run_pretraining(c, dir / "out");
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.metadata["objective"]["name"], "tera");
  EXPECT_FALSE(fs::exists(dir / "out" / "targets.safetensors"));
  auto config = nlohmann::json::parse(read_text_file(dir / "out" / "config.json"));
  EXPECT_EQ(config["model_type"], "tera");
  EXPECT_EQ(config["mel"]["n_mels"], 80);
  auto heads = encoder::load_tensors(dir / "out" / "pretraining_head.safetensors");
  for (const char* k : {"SpecHead.dense.weight", "SpecHead.LayerNorm.bias", "SpecHead.output.weight"})
    EXPECT_TRUE(heads.count(k)) << k;
  EXPECT_EQ(heads.at("SpecHead.output.weight").size(0), 80);
  auto enc = encoder::load_encoder(dir / "out");
  EXPECT_EQ(enc->metadata().family, "tera");
  auto wave = test::speechish(0.9, 5);
  auto out = enc->encode({std::span<const float>(wave)});
  EXPECT_EQ(out.frames()[0], 0.9 * 16000 / 160 + 1);
}

TEST(TeraConfig, ObjectiveAndArchitectureMustAgree) {
  auto c = tera_config();
  c.model = testing::tiny_encoder_config("hubert");
  try {
    c.validate();
    FAIL() << "a conv model under the TERA objective must be refused";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("--objective tera"), std::string::npos) << e.what();
  }
  auto h = tera_config();
  h.objective = "hubert";
  try {
    h.validate();
    FAIL() << "a TERA model under the HuBERT objective must be refused";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("--objective: expected tera for a TERA architecture"), std::string::npos)
        << e.what();
  }
  auto f = tera_config();
  EXPECT_THROW(f.feature_grad_mult(), InvalidArgument);
  f.tera.zero_fraction = 0.5, f.tera.replace_fraction = 0.6;
  EXPECT_THROW(f.validate(), InvalidArgument);
  // The presets become TERA models under --objective tera, and the config survives JSON.
  auto p = tera_config();
  p.model = resolve_arch("tiny", "tera");
  EXPECT_TRUE(p.model.is_tera());
  p.tera.frequency_max = 0.1;
  auto back = PretrainConfig::from_json(p.to_json(), "test");
  EXPECT_EQ(back.to_string(), p.to_string());
  EXPECT_NO_THROW(back.validate());
}

}  // namespace
}  // namespace speechleak::train
