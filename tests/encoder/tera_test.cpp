// TERA: the log-mel front end and the encoder against the reference written from s3prl's code
// (scripts/make_tera_fixtures.py, converted from an s3prl checkpoint by scripts/convert_s3prl_tera.py), padding
// invariance, our own key naming after a save, and config.json errors naming the missing mel setting.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "encoder/encoder_test_util.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/mel_front_end.h"
#include "speechleak/encoder/positional.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::encoder {
namespace {

namespace fs = std::filesystem;
using test::batch_of;
using test::expect_matches_reference;
using test::fixtures;
using test::input_waves;
using test::rel_error;
using testing::TempDir;

constexpr const char* kFixture = "g_tera";

std::span<const float> span_of(const at::Tensor& t) { return {t.data_ptr<float>(), static_cast<size_t>(t.numel())}; }

TEST(Tera, LoadsTheConvertedS3prlCheckpoint) {
  auto loaded = load_hf_directory(fixtures() / kFixture);
  EXPECT_EQ(loaded.report.key_style, "s3prl");
  EXPECT_EQ(loaded.report.prefix, "Transformer.");
  EXPECT_EQ(loaded.report.ignored_keys.size(), 6u) << "SpecHead.{dense,LayerNorm,output}.{weight,bias}";
  EXPECT_FALSE(loaded.do_normalize);
  auto enc = load_encoder(fixtures() / kFixture);
  const auto& m = enc->metadata();
  EXPECT_EQ(m.family, "tera");
  EXPECT_EQ(m.layers, 2);
  EXPECT_EQ(m.width, 64);
  EXPECT_EQ(m.samples_per_frame, 160);
  EXPECT_EQ(m.receptive_field, 400);
  EXPECT_TRUE(m.padding_invariant);
  EXPECT_EQ(m.parameters, loaded.model->config().parameter_count());
  EXPECT_NE(m.architecture.find("mel.n_mels=80"), std::string::npos) << m.architecture;
}

TEST(Tera, FrontEndMatchesS3prlLogMel) {
  MelFrontEnd front(read_hf_config(fixtures() / kFixture / "config.json").mel);
  auto ref = load_tensors(fixtures() / kFixture / "reference.safetensors");
  auto waves = input_waves();
  for (int i = 0; i < 3; ++i) {
    auto mel = front->utterance(waves[i]);
    const auto& r = ref.at("mel_wave" + std::to_string(i));
    ASSERT_EQ(mel.sizes(), r.sizes()) << i;
    EXPECT_LE(rel_error(mel, r), 1e-4) << i;
  }
}

TEST(Tera, StatesMatchTheReferenceSinglyAndPadded) {
  auto enc = load_encoder(fixtures() / kFixture);
  auto waves = input_waves();
  for (int i = 0; i < 3; ++i) expect_matches_reference(enc->encode({span_of(waves[i])}), kFixture, {i}, "single");
  auto [w, l] = batch_of({waves[2], waves[0], waves[1]});
  auto out = enc->encode(w, l);
  expect_matches_reference(out, kFixture, {2, 0, 1}, "batch");
  EXPECT_EQ(out.frames()[1], waves[0].size(0) / 160 + 1);
}

TEST(Tera, SavesInOurNamingAndReloadsExactly) {
  TempDir dir;
  auto loaded = load_hf_directory(fixtures() / kFixture);
  save_hf_directory(loaded.model, dir / "saved", false);
  auto file = SafetensorsFile::open(dir / "saved/model.safetensors");
  EXPECT_NE(file.find("feature_projection.projection.weight"), nullptr);
  EXPECT_NE(file.find("encoder.layers.1.final_layer_norm.bias"), nullptr);
  EXPECT_EQ(file.find("encoder.pos_conv_embed.conv.weight_g"), nullptr);
  auto reloaded = load_hf_directory(dir / "saved");
  EXPECT_EQ(reloaded.report.key_style, "hf");
  EXPECT_EQ(reloaded.model->config().to_string(), loaded.model->config().to_string());
  auto e1 = load_encoder(fixtures() / kFixture), e2 = load_encoder(dir / "saved");
  auto waves = input_waves();
  auto o1 = e1->encode({span_of(waves[1])}), o2 = e2->encode({span_of(waves[1])});
  for (int s = 0; s <= 2; ++s) EXPECT_TRUE(at::equal(o1.state(s), o2.state(s))) << s;
}

// The fixture's directory with config.json edited by `edit`.
std::string error_with_config(const std::function<void(nlohmann::json&)>& edit) {
  TempDir dir;
  fs::create_directories(dir / "m");
  fs::copy_file(fixtures() / kFixture / "model.safetensors", dir / "m/model.safetensors");
  auto j = nlohmann::json::parse(read_text_file(fixtures() / kFixture / "config.json"));
  edit(j);
  testing::write_text(dir / "m/config.json", j.dump());
  try {
    load_encoder(dir / "m");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Tera, ConfigWithoutMelSettingsIsRefusedByName) {
  auto no_mel = error_with_config([](auto& j) { j.erase("mel"); });
  EXPECT_NE(no_mel.find("config.json"), std::string::npos) << no_mel;
  EXPECT_NE(no_mel.find("field 'mel' is missing"), std::string::npos) << no_mel;
  for (const char* field : {"n_mels", "hop_length", "target_level_db", "cmvn"}) {
    auto e = error_with_config([&](auto& j) { j["mel"].erase(field); });
    EXPECT_NE(e.find(std::string("field 'mel.") + field + "' is missing"), std::string::npos) << e;
  }
  auto wrong = error_with_config([](auto& j) { j["mel"]["n_mels"] = "eighty"; });
  EXPECT_NE(wrong.find("mel.n_mels"), std::string::npos) << wrong;
  auto rate = error_with_config([](auto& j) { j["mel"]["sample_rate"] = 8000; });
  EXPECT_NE(rate.find("mel.sample_rate: expected 16000"), std::string::npos) << rate;
  auto bands = error_with_config([](auto& j) { j["mel"]["n_mels"] = 40; });  // the projection was trained on 80
  EXPECT_NE(bands.find("feature_projection.projection.weight"), std::string::npos) << bands;
}

TEST(Tera, SinusoidalPositionsFollowS3prlsTable) {
  auto table = sinusoidal_positions(5, 6, at::TensorOptions().dtype(at::kFloat));
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t i = 0; i < 6; ++i) {
      const double angle = t / std::pow(10000.0, 2.0 * (i / 2) / 6.0);
      EXPECT_NEAR(table[t][i].item<double>(), i % 2 == 0 ? std::sin(angle) : std::cos(angle), 1e-6) << t << "," << i;
    }
}

}  // namespace
}  // namespace speechleak::encoder
