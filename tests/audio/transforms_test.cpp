#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "speechleak/audio/normalize.h"
#include "speechleak/audio/transforms.h"
#include "speechleak/util/error.h"
#include "support/test_support.h"

namespace speechleak::audio {
namespace {

double power(std::span<const float> x) {
  double s = 0;
  for (float v : x) s += static_cast<double>(v) * v;
  return s / x.size();
}

TEST(Normalize, PeakMatchesSoxNorm) {
  std::vector<float> x{0.1f, -0.4f, 0.2f};
  normalize(x, Normalization::Peak);
  EXPECT_FLOAT_EQ(x[1], -1.0f);
  EXPECT_FLOAT_EQ(x[0], 0.25f);
}

TEST(Normalize, ZeroMeanUnitVarianceAndLayerNorm) {
  for (auto mode : {Normalization::ZeroMeanUnitVar, Normalization::LayerNorm}) {
    auto x = speechleak::testing::sine(100.0, 0.5, 16000, 0.3f, 1);
    for (float& v : x) v += 0.2f;
    normalize(x, mode);
    double mean = std::accumulate(x.begin(), x.end(), 0.0) / x.size();
    EXPECT_NEAR(mean, 0.0, 1e-5);
    EXPECT_NEAR(power(x), 1.0, 1e-3);
  }
  // The two differ only by epsilon: a near-silent signal shows it.
  std::vector<float> a(100, 0.0f), b;
  a[0] = 1e-3f;
  b = a;
  normalize(a, Normalization::ZeroMeanUnitVar);
  normalize(b, Normalization::LayerNorm);
  EXPECT_GT(std::abs(a[0]), std::abs(b[0]) * 2);
}

TEST(Normalize, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(parse_normalization("hf"), Normalization::ZeroMeanUnitVar);
  EXPECT_EQ(parse_normalization("fairseq"), Normalization::LayerNorm);
  EXPECT_EQ(parse_normalization(to_string(Normalization::Peak)), Normalization::Peak);
  EXPECT_THROW(parse_normalization("loud"), InvalidArgument);
}

TEST(Transforms, ReverseReverses) {
  std::vector<float> x{1, 2, 3, 4};
  reverse(x);
  EXPECT_EQ(x, (std::vector<float>{4, 3, 2, 1}));
}

TEST(Transforms, AddNoiseHitsTheRequestedSnr) {
  for (auto type : {NoiseType::White, NoiseType::SpeechShaped}) {
    for (double snr : {0.0, 10.0, 20.0}) {
      auto clean = speechleak::testing::sine(300.0, 2.0, 16000, 0.5f, 1);
      auto noisy = clean;
      add_noise(noisy, snr, type, 16000, 7);
      std::vector<float> noise(clean.size());
      for (size_t i = 0; i < clean.size(); ++i) noise[i] = noisy[i] - clean[i];
      EXPECT_NEAR(10 * std::log10(power(clean) / power(noise)), snr, 0.05);
    }
  }
}

TEST(Transforms, NoiseIsSeededAndSpeechShapedNoiseIsDarker) {
  EXPECT_EQ(make_noise(1000, NoiseType::White, 16000, 3), make_noise(1000, NoiseType::White, 16000, 3));
  EXPECT_NE(make_noise(1000, NoiseType::White, 16000, 3), make_noise(1000, NoiseType::White, 16000, 4));
  // Energy of first differences measures high-frequency content: white noise has ~2x its power there,
  // speech-shaped noise far less.
  auto diff_power = [](const std::vector<float>& x) {
    double s = 0;
    for (size_t i = 1; i < x.size(); ++i) s += (x[i] - x[i - 1]) * (x[i] - x[i - 1]);
    return s / (x.size() - 1);
  };
  EXPECT_NEAR(diff_power(make_noise(32000, NoiseType::White, 16000, 1)), 2.0, 0.1);
  EXPECT_LT(diff_power(make_noise(32000, NoiseType::SpeechShaped, 16000, 1)), 0.5);
}

TEST(Transforms, ReplaceSpanWithSilenceOrNoise) {
  auto x = speechleak::testing::sine(300.0, 1.0, 16000, 0.5f, 1);
  auto silenced = x;
  replace_span(silenced, 16000, {.start_s = 0.25, .end_s = 0.5, .fill = SpanFill::Silence});
  for (int i = 4000; i < 8000; ++i) ASSERT_EQ(silenced[i], 0.0f);
  EXPECT_EQ(silenced[3999], x[3999]);
  EXPECT_EQ(silenced[8000], x[8000]);

  auto masked = x;
  replace_span(masked, 16000, {.start_s = 0.25, .end_s = 0.5, .fill = SpanFill::Noise, .noise_level = 1.0, .seed = 9});
  std::span<const float> span(masked.data() + 4000, 4000);
  EXPECT_NEAR(std::sqrt(power(span)), 0.5 / std::sqrt(2.0), 0.02);  // as loud as the sine around it
  EXPECT_EQ(masked[8000], x[8000]);

  EXPECT_THROW(replace_span(masked, 16000, {.start_s = 0.5, .end_s = 0.25}), InvalidArgument);
  EXPECT_THROW(replace_span(masked, 16000, {.start_s = 2.0, .end_s = 3.0}), InvalidArgument);
}

TEST(Transforms, CropTakesTheRange) {
  Audio a;
  a.samples.resize(16000);
  std::iota(a.samples.begin(), a.samples.end(), 0.0f);
  Audio c = crop(a, 0.5, 0.75);
  ASSERT_EQ(c.samples.size(), 4000u);
  EXPECT_EQ(c.samples[0], 8000.0f);
  EXPECT_EQ(crop(a, 0.5, -1).samples.size(), 8000u);
  EXPECT_THROW(crop(a, 0.9, 0.8), InvalidArgument);
  EXPECT_THROW(crop(a, 1.5, -1), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::audio
