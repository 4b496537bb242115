#include <gtest/gtest.h>

#include "audio/audio_test_util.h"
#include "speechleak/audio/audio_io.h"
#include "speechleak/audio/resample.h"
#include "speechleak/util/error.h"
#include "support/test_support.h"

namespace speechleak::audio {
namespace {
using speechleak::testing::measured_amplitude;
using speechleak::testing::measured_frequency;

struct RateCase {
  int rate;
  int channels;
};

class ResampleFile : public ::testing::TestWithParam<RateCase> {};

// A 1 kHz sine written at the source rate, read back at 16 kHz: frequency within 0.1%, amplitude within 1%,
// length equal to duration x 16 kHz within one sample. Stereo is mixed down (channel 1 is half as loud).
TEST_P(ResampleFile, KeepsSineFrequencyAndAmplitude) {
  const auto [rate, channels] = GetParam();
  speechleak::testing::TempDir dir;
  auto path = dir / "sine.wav";
  const double seconds = 1.5;
  speechleak::testing::write_raw(path, speechleak::testing::sine(1000.0, seconds, rate, 0.5f, channels), rate,
                                 channels, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  Audio a = read_audio(path);
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_NEAR(static_cast<double>(a.samples.size()), seconds * 16000, 1.0);
  EXPECT_NEAR(measured_frequency(a.samples, 16000), 1000.0, 1.0);
  const double expected_amp = channels == 1 ? 0.5 : (0.5 + 0.25) / 2;
  EXPECT_NEAR(measured_amplitude(a.samples), expected_amp, 0.01 * expected_amp);
}

INSTANTIATE_TEST_SUITE_P(Rates, ResampleFile,
                         ::testing::Values(RateCase{8000, 1}, RateCase{22050, 1}, RateCase{44100, 1},
                                           RateCase{48000, 1}, RateCase{8000, 2}, RateCase{22050, 2},
                                           RateCase{44100, 2}, RateCase{48000, 2}),
                         [](const auto& info) {
                           return std::to_string(info.param.rate) + "Hz_" + std::to_string(info.param.channels) + "ch";
                         });

TEST(Resample, AliasedToneAboveNewNyquistIsRemoved) {
  // 7 kHz at 48 kHz is above the 4 kHz Nyquist of 8 kHz: the high-quality filter must remove it, not fold it.
  auto x = speechleak::testing::sine(7000.0, 1.0, 48000, 0.5f, 1);
  auto y = resample(x, 48000, 8000);
  EXPECT_LT(measured_amplitude(y), 0.005);
}

TEST(Resample, SameRateIsIdentity) {
  auto x = speechleak::testing::sine(300.0, 0.1, 16000);
  EXPECT_EQ(resample(x, 16000, 16000), x);
}

TEST(Resample, InputShorterThanOneOutputSampleGivesNone) {
  std::vector<float> one{0.5f};
  EXPECT_TRUE(resample(one, 48000, 16000).empty());  // round(1/3) = 0 output samples
}

TEST(Resample, RejectsNonPositiveRates) {
  std::vector<float> x(100, 0.f);
  EXPECT_THROW(resample(x, 0, 16000), InvalidArgument);
  EXPECT_THROW(resample(x, 16000, -1), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::audio
