#include "speechleak/synth/espeak_engine.h"

#include <gtest/gtest.h>

#include "speechleak/synth/word_timing.h"
#include "speechleak/util/error.h"

namespace speechleak::synth {
namespace {

EspeakRequest request(const std::string& voice, const std::string& text, uint32_t seed = 1) {
  VoiceSettings v;
  v.espeak_name = voice;
  return {v, text, seed};
}

TEST(EspeakEngine, InitialisesAt22050Hz) {
  const auto& e = EspeakEngine::instance();
  EXPECT_EQ(e.sample_rate(), 22050);
  EXPECT_FALSE(e.version().empty());
}

// The reason for worker processes: espeak-ng's hidden state would otherwise make an utterance depend on what
// was spoken before it in the same process.
TEST(EspeakEngine, OutputDoesNotDependOnHistory) {
  const auto& e = EspeakEngine::instance();
  const auto x = request("en-us+f3", "the quick brown fox met Oliver near the old bridge");
  const auto y = request("en-gb-scotland+klatt2", "a different sentence spoken first");
  const auto alone = e.synthesize({x});
  const auto after = e.synthesize({y, y, x});
  const auto again = e.synthesize({x});
  ASSERT_EQ(alone.size(), 1u);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_GT(alone[0].samples.size(), 22050u);  // more than a second of speech
  EXPECT_EQ(alone[0].samples, again[0].samples);
  // A batch is a function of its requests: speaking the same batch again gives the same samples and events.
  const auto after_again = e.synthesize({y, y, x});
  EXPECT_EQ(after[2].samples, after_again[2].samples);
  EXPECT_EQ(after[2].words.size(), after_again[2].words.size());
  EXPECT_EQ(after[2].words.back().sample, after_again[2].words.back().sample);
}

TEST(EspeakEngine, WordEventsMarkEveryWordInOrder) {
  const std::string text = "Emma, please bring the small book to the station";
  const auto r = EspeakEngine::instance().synthesize({request("en-us+m3", text)});
  ASSERT_EQ(r[0].words.size(), 9u);
  const std::vector<size_t> offsets = {0, 6, 13, 19, 23, 29, 34, 37, 41};
  const auto starts = word_starts(r[0].words, offsets, text);
  for (size_t i = 1; i < starts.size(); ++i) EXPECT_GT(starts[i], starts[i - 1]);
  EXPECT_GT(r[0].end_sample, starts.back());
  EXPECT_LE(r[0].end_sample, static_cast<int64_t>(r[0].samples.size()));
  // A transcript that disagrees with the events fails loudly.
  EXPECT_THROW(word_starts(r[0].words, {0, 6, 13}, text), Error);
  EXPECT_THROW(word_starts(r[0].words, {0, 7, 13, 19, 23, 29, 34, 37, 41}, text), Error);
}

TEST(EspeakEngine, UnknownVoicesAreErrorsNamingThem) {
  const auto& e = EspeakEngine::instance();
  try {
    e.synthesize({request("en-us+no-such-variant", "hello there")});
    FAIL() << "expected an error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("no-such-variant"), std::string::npos) << err.what();
  }
  EXPECT_THROW(e.synthesize({request("xx-nonexistent+f3", "hello")}), Error);
  EXPECT_TRUE(e.synthesize({}).empty());
}

}  // namespace
}  // namespace speechleak::synth
