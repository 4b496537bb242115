// The native modules on their own: construction from a config, training, early stop, masked group norm.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/optim/sgd.h>

#include <nlohmann/json.hpp>

#include "encoder/encoder_test_util.h"
#include "speechleak/encoder/hf_config.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/wav2vec2_model.h"
#include "speechleak/util/error.h"

namespace speechleak::encoder {
namespace {

Wav2Vec2Config tiny_config(bool stable) {
  Wav2Vec2Config c;
  c.model_type = "hubert";
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 32;
  c.conv_dim = std::vector<int>(7, 8);
  c.num_conv_pos_embeddings = 8;
  c.num_conv_pos_embedding_groups = 2;
  c.do_stable_layer_norm = stable;
  c.feat_extract_norm = stable ? ExtractorNorm::Layer : ExtractorNorm::Group;
  return c;
}

TEST(Wav2Vec2Config, DerivedQuantities) {
  Wav2Vec2Config c;  // HF defaults: wav2vec2 base
  EXPECT_EQ(c.samples_per_frame(), 320);
  EXPECT_EQ(c.receptive_field(), 400);
  EXPECT_EQ(c.frames_for(16000), 49);
  EXPECT_EQ(c.frames_for(399), 0);
  EXPECT_EQ(c.frames_for(400), 1);
  Wav2Vec2Model m(c);
  EXPECT_EQ(m->parameter_count(), c.parameter_count());
  EXPECT_NEAR(static_cast<double>(c.parameter_count()), 94.4e6, 0.5e6);  // HuBERT/wav2vec2 base
}

TEST(Wav2Vec2Config, ValidateNamesTheField) {
  auto c = tiny_config(false);
  c.num_conv_pos_embedding_groups = 3;
  try {
    c.validate();
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("num_conv_pos_embedding_groups: expected a divisor of hidden_size (16)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Wav2Vec2Model{c}, InvalidArgument);
}

TEST(Wav2Vec2Config, JsonRoundTrip) {
  auto c = tiny_config(true);
  c.feat_proj_layer_norm = false;
  auto back = Wav2Vec2Config::from_json(c.to_json(), "mem");
  EXPECT_EQ(back.to_string(), c.to_string());
  c.model_type = "wavlm";
  c.feat_proj_layer_norm = true;  // WavLM always has it (from_json sets it)
  c.num_buckets = 64;
  c.max_bucket_distance = 100;
  const auto j = c.to_json();
  EXPECT_EQ(j.at("architectures")[0], "WavLMModel");
  back = Wav2Vec2Config::from_json(j, "mem");
  EXPECT_EQ(back.to_string(), c.to_string());
  EXPECT_NE(c.to_string().find("num_buckets=64 max_bucket_distance=100"), std::string::npos);
  EXPECT_TRUE(back.has_feat_proj_layer_norm());
}

TEST(Wav2Vec2Config, WavLMBucketsMustBeConsistent) {
  auto c = tiny_config(false);
  c.model_type = "wavlm";
  c.num_buckets = 2;
  EXPECT_THROW(c.validate(), InvalidArgument);
  c.num_buckets = 320;
  c.max_bucket_distance = 80;  // not beyond the 80 exact distances: HF's logarithm would divide by zero
  try {
    c.validate();
    ADD_FAILURE() << "accepted max_bucket_distance 80 with 320 buckets";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("max_bucket_distance"), std::string::npos) << e.what();
  }
  auto j = c.to_json();
  EXPECT_THROW((void)Wav2Vec2Config::from_json(j, "mem"), FormatError);
}

// fuzz/regressions/hf_config: an integer field given as a float past int's range was converted to int (undefined
// behaviour); integers must be JSON integers that fit, whatever the field.
TEST(Wav2Vec2Config, IntegerFieldsMustBeIntegersThatFit) {
  const auto regression = std::filesystem::path(SPEECHLEAK_SOURCE_DIR) /
                          "fuzz/regressions/hf_config/conv-kernel-integer-past-int-as-float";
  try {
    (void)read_hf_config(regression);
    ADD_FAILURE() << "accepted " << regression;
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("field 'conv_kernel' has an unexpected type: 1e+21"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(regression.string()), std::string::npos) << e.what();
  }
  const auto base = tiny_config(false).to_json();
  for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"hidden_size", 1e300}, {"hidden_size", 16.0}, {"num_hidden_layers", 4294967298LL},
           {"num_attention_heads", -1e19}, {"conv_stride", {5, 2.5}}, {"conv_dim", "16"}, {"conv_bias", 1},
           {"layer_norm_eps", "1e-5"}}) {
    auto j = base;
    j[key] = value;
    EXPECT_THROW((void)Wav2Vec2Config::from_json(j, "mem"), FormatError) << key << " = " << value.dump();
  }
  auto j = base;
  j["layer_norm_eps"] = 1;  // a JSON integer is a valid float
  EXPECT_DOUBLE_EQ(Wav2Vec2Config::from_json(j, "mem").layer_norm_eps, 1.0);
}

TEST(Wav2Vec2Modules, TrainsFromRandomInit) {
  at::manual_seed(3);
  Wav2Vec2Model model(tiny_config(true));
  model->train();
  auto w = at::randn({2, 4000}) * 0.1;
  auto l = at::tensor(std::vector<int64_t>{4000, 3000});
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.05));
  auto loss_of = [&] { return model->forward(w, l).pow(2).mean(); };
  auto before = loss_of();
  opt.zero_grad();
  before.backward();
  for (const auto& p : model->named_parameters()) {  // the mask embedding only enters with time masking
    if (p.key() != "masked_spec_embed") {
      ASSERT_TRUE(p.value().grad().defined()) << "no gradient for " << p.key();
    }
  }
  opt.step();
  EXPECT_LT(loss_of().item<double>(), before.item<double>());
}

TEST(Wav2Vec2Modules, StopsAtTheHighestRequestedState) {
  at::manual_seed(4);
  Wav2Vec2Model model(tiny_config(false));
  model->prepare_inference(ComputePrecision::F32);
  at::NoGradGuard no_grad;
  auto w = at::randn({1, 3200}) * 0.1;
  auto all = model->forward_states(w, {}, {true, true, true});
  auto first = model->forward_states(w, {}, {false, true});
  ASSERT_EQ(first.states.size(), 2u);
  EXPECT_FALSE(first.states[0].defined());
  EXPECT_TRUE(at::allclose(first.states[1], all.states[1]));
  EXPECT_THROW(model->forward_states(w, {}, std::vector<bool>(4, true)), InvalidArgument);
}

TEST(Wav2Vec2Modules, PreparedInferenceMatchesTrainingPath) {
  // The fused q/k/v and fused positional weight give the same numbers as the per-module path.
  at::manual_seed(5);
  Wav2Vec2Model model(tiny_config(false));
  model->eval();
  at::NoGradGuard no_grad;
  auto w = at::randn({1, 4000}) * 0.1;
  auto plain = model->forward(w);
  model->prepare_inference(ComputePrecision::F32);
  EXPECT_LE(test::rel_error(model->forward(w), plain), 1e-5);
  model->train();  // drops the caches
  model->eval();
  EXPECT_TRUE(at::equal(model->forward(w), plain));
}

TEST(Wav2Vec2Modules, GroupNormNeedsMaskedStatistics) {
  // Why the encoder passes lengths: treated as signal, the padding of a short utterance enters its group-norm
  // statistics (and its attention); with the lengths the utterance equals itself alone.
  auto loaded = load_hf_directory(test::fixtures() / "a_hubert_group");
  auto& model = loaded.model;
  model->prepare_inference(ComputePrecision::F32);
  at::NoGradGuard no_grad;
  auto waves = test::input_waves();
  auto [w, l] = test::batch_of({waves[0], waves[2]});
  std::vector<bool> keep{false, false, true};
  auto alone = model->forward_states(waves[0].unsqueeze(0), {}, keep).states[2][0];
  const int64_t f = alone.size(0);
  auto masked = model->forward_states(w, l, keep).states[2][0].narrow(0, 0, f);
  auto naive = model->forward_states(w, {}, keep).states[2][0].narrow(0, 0, f);
  EXPECT_LE(test::rel_error(masked, alone), test::kTolerance);
  EXPECT_GT(test::rel_error(naive, alone), 1e-2);
}

}  // namespace
}  // namespace speechleak::encoder
