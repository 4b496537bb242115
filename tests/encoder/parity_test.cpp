// Parity with torchaudio: every hidden state of the committed fixtures (scripts/make_encoder_fixtures.py), for
// single utterances and padded batches, HF directories and TorchScript files; WavLM against the reference written
// from Hugging Face's modeling_wavlm.py (scripts/make_wavlm_fixtures.py).
#include <gtest/gtest.h>

#include "encoder/encoder_test_util.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/util/error.h"

namespace speechleak::encoder {
namespace {

using test::batch_of;
using test::expect_matches_reference;
using test::fixtures;
using test::input_waves;

struct HfCase {
  std::string dir;
  std::string family;
  int layers, width;
  audio::Normalization normalization;
  size_t ignored;
  friend void PrintTo(const HfCase& c, std::ostream* os) { *os << c.dir; }
};

class HfParity : public ::testing::TestWithParam<HfCase> {};

std::span<const float> span_of(const at::Tensor& t) {
  return {t.data_ptr<float>(), static_cast<size_t>(t.numel())};
}

TEST_P(HfParity, Metadata) {
  const auto& c = GetParam();
  auto enc = load_encoder(fixtures() / c.dir);
  const auto& m = enc->metadata();
  EXPECT_EQ(m.family, c.family);
  EXPECT_EQ(m.kind, "hf-native");
  EXPECT_EQ(m.layers, c.layers);
  EXPECT_EQ(m.width, c.width);
  EXPECT_EQ(m.samples_per_frame, 320);
  EXPECT_EQ(m.receptive_field, 400);
  EXPECT_EQ(m.normalization, c.normalization);
  EXPECT_EQ(m.ignored_keys.size(), c.ignored);
  EXPECT_EQ(m.available_states.size(), static_cast<size_t>(c.layers + 1));
  EXPECT_TRUE(m.padding_invariant);
  EXPECT_GT(m.parameters, 10000);
  EXPECT_EQ(m.description().find(fixtures().string()), std::string::npos) << "description must not hold the path";
}

TEST_P(HfParity, SingleUtterancesMatchTorchaudio) {
  const auto& c = GetParam();
  auto enc = load_encoder(fixtures() / c.dir);
  auto waves = input_waves();
  for (int i = 0; i < 3; ++i) {
    auto out = enc->encode({span_of(waves[i])});
    ASSERT_EQ(out.states().size(), static_cast<size_t>(c.layers + 1));
    expect_matches_reference(out, c.dir, {i}, c.dir + " single");
  }
}

TEST_P(HfParity, PaddedBatchMatchesTorchaudioSingles) {
  // Group-norm models too: the encoder keeps each utterance's normalisation statistics to its own frames.
  const auto& c = GetParam();
  auto enc = load_encoder(fixtures() / c.dir);
  auto waves = input_waves();
  auto [w, l] = batch_of({waves[2], waves[0], waves[1]});
  auto out = enc->encode(w, l);
  expect_matches_reference(out, c.dir, {2, 0, 1}, c.dir + " batch");
  EXPECT_FALSE(out.state(0).is_inference()) << "outputs must be usable with autograd later";
  // Frames past an utterance's end are zero.
  const auto& last = out.state(c.layers);
  EXPECT_EQ(last[1].narrow(0, out.frames()[1], last.size(1) - out.frames()[1]).abs().max().item<float>(), 0.0f);
}

TEST_P(HfParity, RequestedStatesOnly) {
  const auto& c = GetParam();
  auto enc = load_encoder(fixtures() / c.dir);
  auto waves = input_waves();
  auto out = enc->encode({span_of(waves[1])}, {1});
  EXPECT_EQ(out.states(), std::vector<int>{1});
  EXPECT_THROW(out.state(0), InvalidArgument);
  expect_matches_reference(out, c.dir, {1}, c.dir + " state 1");
  try {
    enc->encode({span_of(waves[1])}, {c.layers + 1});
    FAIL() << "state L+1 accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("state " + std::to_string(c.layers + 1)), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, HfParity,
    // Ignored keys: the heads and pretraining tensors (masked_spec_embed is loaded: it is part of the model).
    ::testing::Values(HfCase{"a_hubert_group", "hubert", 2, 32, audio::Normalization::None, 3},
                      HfCase{"b_w2v2_stable", "wav2vec2", 3, 48, audio::Normalization::ZeroMeanUnitVar, 9},
                      HfCase{"c_hubert_fpln", "hubert", 2, 64, audio::Normalization::None, 0},
                      // WavLM base layout (prefix "wavlm.", lm_head ignored) and large layout (two shards).
                      HfCase{"e_wavlm_base", "wavlm", 2, 32, audio::Normalization::None, 2},
                      HfCase{"f_wavlm_large", "wavlm", 3, 48, audio::Normalization::ZeroMeanUnitVar, 0}),
    [](const auto& info) { return info.param.dir; });

TEST(HfParityNormalization, OverrideChangesTheInput) {
  // b asks for zero-mean-unit-var; forcing none must change the states (so the normalisation is really applied).
  EncoderOptions opts;
  opts.normalization = audio::Normalization::None;
  auto enc = load_encoder(fixtures() / "b_w2v2_stable", opts);
  auto waves = input_waves();
  auto out = enc->encode({span_of(waves[0])}, {3});
  auto ref = load_tensors(fixtures() / "b_w2v2_stable/reference.safetensors");
  EXPECT_GT(test::rel_error(out.utterance(3, 0), ref.at("state3_wave0")), 1e-3);
}

// --- TorchScript -------------------------------------------------------------------------------------------

TEST(TorchScriptParity, WrapperReturningList) {
  auto enc = load_encoder(fixtures() / "a_wrapper_list.pt");
  const auto& m = enc->metadata();
  EXPECT_EQ(m.kind, "torchscript-states");
  EXPECT_EQ(m.layers, 2);
  EXPECT_EQ(m.width, 32);
  EXPECT_EQ(m.samples_per_frame, 320);
  EXPECT_EQ(m.receptive_field, 400);
  auto waves = input_waves();
  for (int i = 0; i < 3; ++i) expect_matches_reference(enc->encode({span_of(waves[i])}), "a_hubert_group", {i}, "list");
  // Default: one utterance at a time, so the group-norm model is exact in a padded batch too.
  auto [w, l] = batch_of({waves[1], waves[2], waves[0]});
  expect_matches_reference(enc->encode(w, l), "a_hubert_group", {1, 2, 0}, "list batch");
}

TEST(TorchScriptParity, WrapperReturningStackedTensorBatched) {
  EncoderOptions opts;
  opts.normalization = audio::Normalization::ZeroMeanUnitVar;  // a TorchScript file cannot say what it expects
  opts.torchscript_batching = true;                            // layer-norm model: padding-invariant
  auto enc = load_encoder(fixtures() / "b_wrapper_stacked.pt", opts);
  EXPECT_EQ(enc->metadata().layers, 3);
  EXPECT_FALSE(enc->metadata().padding_invariant);
  auto waves = input_waves();
  auto [w, l] = batch_of({waves[0], waves[2], waves[1]});
  expect_matches_reference(enc->encode(w, l), "b_w2v2_stable", {0, 2, 1}, "stacked batch");
}

TEST(TorchScriptParity, ScriptedTorchaudioModelGivesAllHfStates) {
  auto enc = load_encoder(fixtures() / "c_torchaudio.pt");
  const auto& m = enc->metadata();
  EXPECT_EQ(m.kind, "torchscript-torchaudio");
  EXPECT_EQ(m.layers, 2);
  EXPECT_EQ(m.width, 64);
  EXPECT_EQ(m.available_states, (std::vector<int>{0, 1, 2}));
  auto waves = input_waves();
  for (int i = 0; i < 3; ++i)
    expect_matches_reference(enc->encode({span_of(waves[i])}), "c_hubert_fpln", {i}, "torchaudio");
  auto [w, l] = batch_of({waves[2], waves[1]});
  expect_matches_reference(enc->encode(w, l, {0, 2}), "c_hubert_fpln", {2, 1}, "torchaudio batch");
}

TEST(TorchScriptParity, ExtractFeaturesOnlyGivesTorchaudioStates) {
  // Only extract_features is recognisable: states 1..L as torchaudio returns them. For this stable-layer-norm
  // model torchaudio's last entry lacks the final layer norm, so state L differs from the HF reference.
  EncoderOptions opts;
  opts.normalization = audio::Normalization::ZeroMeanUnitVar;
  auto enc = load_encoder(fixtures() / "b_extract_only.pt", opts);
  const auto& m = enc->metadata();
  EXPECT_EQ(m.layers, 3);
  EXPECT_EQ(m.available_states, (std::vector<int>{1, 2, 3}));
  auto waves = input_waves();
  auto out = enc->encode({span_of(waves[1])}, {1, 2, 3});
  auto ref = load_tensors(fixtures() / "b_w2v2_stable/reference.safetensors");
  EXPECT_LE(test::rel_error(out.utterance(1, 0), ref.at("state1_wave1")), test::kTolerance);
  EXPECT_LE(test::rel_error(out.utterance(2, 0), ref.at("state2_wave1")), test::kTolerance);
  EXPECT_GT(test::rel_error(out.utterance(3, 0), ref.at("state3_wave1")), 1e-2);
  try {
    enc->encode({span_of(waves[1])}, {0});
    FAIL() << "state 0 accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("one of the available states {1,2,3}"), std::string::npos) << e.what();
  }
}

TEST(TorchScriptParity, Bf16RefusedForTorchScript) {
  EncoderOptions opts;
  opts.precision = "bf16";
  try {
    load_encoder(fixtures() / "c_torchaudio.pt", opts);
    FAIL() << "bf16 accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("precision"), std::string::npos);
  }
}

}  // namespace
}  // namespace speechleak::encoder
