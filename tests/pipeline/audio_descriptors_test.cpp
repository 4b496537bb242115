// The blind baseline's audio descriptors on signals whose values are known: duration, level, pitch of a tone.
#include "speechleak/pipeline/audio_descriptors.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/test_support.h"

namespace speechleak::pipeline {
namespace {

double at(const std::vector<double>& d, const std::string& name) {
  const auto names = audio_descriptor_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return d.at(i);
  ADD_FAILURE() << "no descriptor " << name;
  return 0;
}

TEST(AudioDescriptors, MeasureDurationLevelAndPitchOfATone) {
  const auto tone = testing::sine(200.0, 1.5, 16000, 0.5f);
  const auto d = audio_descriptors(tone, 16000);
  ASSERT_EQ(d.size(), audio_descriptor_names().size());
  EXPECT_NEAR(at(d, "duration_s"), 1.5, 1e-9);
  EXPECT_NEAR(at(d, "f0_median_hz"), 200.0, 3.0);
  EXPECT_GT(at(d, "voiced_share"), 0.95);
  EXPECT_NEAR(at(d, "energy_db_mean"), 10 * std::log10(0.125), 0.1);  // mean square of a 0.5 sine
  EXPECT_LT(at(d, "energy_db_std"), 0.1);

  std::vector<float> quiet(tone.size());
  for (size_t i = 0; i < tone.size(); ++i) quiet[i] = 0.05f * tone[i];
  EXPECT_NEAR(at(audio_descriptors(quiet, 16000), "energy_db_mean"), at(d, "energy_db_mean") - 26.02, 0.1);
}

TEST(AudioDescriptors, SilenceIsUnvoicedAndTinyAudioGivesZerosNotACrash) {
  const std::vector<float> silence(16000, 0.0f);
  EXPECT_EQ(at(audio_descriptors(silence, 16000), "voiced_share"), 0.0);
  const std::vector<float> tiny(100, 0.1f);
  const auto d = audio_descriptors(tiny, 16000);
  ASSERT_EQ(d.size(), audio_descriptor_names().size());
  EXPECT_EQ(at(d, "logmel_0_mean"), 0.0);
}

}  // namespace
}  // namespace speechleak::pipeline
