#include "speechleak/synth/voices.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "speechleak/synth/espeak_engine.h"
#include "speechleak/util/error.h"

namespace speechleak::synth {
namespace {

TEST(Voices, AtLeast200DistinctConfigurations) {
  ASSERT_GE(catalogue_size(), 200u);
  std::set<std::tuple<std::string, int, int, int, int, int>> distinct;
  for (size_t i = 0; i < catalogue_size(); ++i) {
    const Voice v = catalogue_voice(i);
    distinct.insert({v.espeak_name(), v.pitch, v.range, v.rate, v.volume, v.word_gap});
  }
  EXPECT_EQ(distinct.size(), catalogue_size());
}

TEST(Voices, IdsAreFourDigitsAndRoundTrip) {
  for (size_t i = 0; i < catalogue_size(); ++i) {
    const std::string id = speaker_id_of(i);
    EXPECT_EQ(id.size(), 4u) << id;
    EXPECT_EQ(catalogue_index(id), i);
  }
  EXPECT_THROW(catalogue_index("999"), InvalidArgument);
  EXPECT_THROW(catalogue_index("01000"), InvalidArgument);
  EXPECT_THROW(catalogue_index(std::to_string(1000 + catalogue_size())), InvalidArgument);
  EXPECT_THROW(catalogue_index("abc"), InvalidArgument);
  EXPECT_THROW(speaker_id_of(catalogue_size()), InvalidArgument);
}

TEST(Voices, VoiceOfAnIdIsFixedAndParametersInRange) {
  // The mapping does not depend on any corpus seed: the same call gives the same voice.
  EXPECT_EQ(catalogue_voice(17), catalogue_voice(17));
  EXPECT_NE(catalogue_voice(17), catalogue_voice(18));
  int female = 0;
  for (size_t i = 0; i < catalogue_size(); ++i) {
    const Voice v = catalogue_voice(i);
    EXPECT_GE(v.pitch, 0);
    EXPECT_LE(v.pitch, 100);
    EXPECT_GE(v.rate, 80);
    EXPECT_LE(v.rate, 450);
    EXPECT_TRUE(v.sex == 'M' || v.sex == 'F');
    female += v.sex == 'F';
  }
  EXPECT_GT(female, static_cast<int>(catalogue_size() / 4));
}

TEST(Voices, EveryVariantIsInstalled) {
  const auto& engine = EspeakEngine::instance();
  for (const auto& v : variants()) EXPECT_TRUE(engine.has_variant(v.file)) << v.file;
  EXPECT_FALSE(engine.has_variant("no-such-variant"));
}

TEST(Voices, JitterStaysNearTheSpeaker) {
  const Voice v = catalogue_voice(5);
  Jitter j;
  j.pitch = 4;
  j.rate = 0.1;
  Rng rng(3);
  bool pitch_moved = false;
  for (int i = 0; i < 50; ++i) {
    const VoiceSettings s = jittered(v, j, rng);
    EXPECT_EQ(s.espeak_name, v.espeak_name());
    EXPECT_LE(std::abs(s.pitch - v.pitch), 4);
    EXPECT_LE(std::abs(s.rate - v.rate), v.rate * 0.1 + 1);
    pitch_moved |= s.pitch != v.pitch;
  }
  EXPECT_TRUE(pitch_moved);
  Rng rng2(3);
  EXPECT_EQ(jittered(v, Jitter{0, 0.0}, rng2), settings_for(v));
}

}  // namespace
}  // namespace speechleak::synth
