#include "speechleak/synth/config.h"
#include "speechleak/synth/plan.h"

#include <gtest/gtest.h>

#include <functional>

#include "speechleak/util/error.h"

namespace speechleak::synth {
namespace {

// The error names the option (as docs/synth.md and the CLI spell it) and what was given.
void expect_rejected(const std::function<void(SynthConfig&)>& change, const std::string& option,
                     const std::string& actual) {
  SynthConfig c;
  change(c);
  try {
    c.validate();
    FAIL() << "accepted a bad " << option;
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(option), std::string::npos) << msg;
    EXPECT_NE(msg.find(actual), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected"), std::string::npos) << msg;
  }
}

TEST(SynthConfig, DefaultsAreValid) {
  SynthConfig c;
  EXPECT_NO_THROW(c.validate());
  c.canaries.count = 5;
  EXPECT_NO_THROW(c.validate());
}

TEST(SynthConfig, RejectsBadValues) {
  expect_rejected([](SynthConfig& c) { c.pretrain_speakers = -1; }, "pretrain-speakers", "-1");
  expect_rejected([](SynthConfig& c) { c.heldout_speakers = 900; }, "heldout-speakers", "900");
  expect_rejected([](SynthConfig& c) { c.aux_speakers = 700; c.heldout_speakers = 200; }, "speakers", "912");
  expect_rejected([](SynthConfig& c) { c.utts_per_speaker = 0; }, "utts-per-speaker", "0");
  expect_rejected([](SynthConfig& c) { c.finetune_utts = -2; }, "finetune-utts", "-2");
  expect_rejected([](SynthConfig& c) { c.sentences.min_words = 2; }, "min-words", "2");
  expect_rejected([](SynthConfig& c) { c.sentences.max_words = 4; c.sentences.min_words = 6; }, "max-words", "4");
  expect_rejected([](SynthConfig& c) { c.sentences.name_fraction = 1.5; }, "name-fraction", "1.5");
  expect_rejected([](SynthConfig& c) { c.sentences.max_names = 0; }, "max-names", "0");
  expect_rejected([](SynthConfig& c) { c.jitter.rate = -0.1; }, "jitter-rate", "-0.1");
  expect_rejected([](SynthConfig& c) { c.snr_min_db = 40; c.snr_max_db = 10; }, "noise-snr", "10");
  expect_rejected([](SynthConfig& c) { c.lead_silence_max_s = 9; }, "lead-silence", "9");
  expect_rejected([](SynthConfig& c) { c.trail_silence_min_s = -1; }, "trail-silence", "-1");
  expect_rejected([](SynthConfig& c) { c.canaries.count = 3; c.canaries.insert_fraction = 2; },
                  "canary-insert-fraction", "2");
  expect_rejected([](SynthConfig& c) { c.canaries.count = 3; c.canaries.speakers = {"42"}; }, "canary-speakers",
                  "42");
  expect_rejected([](SynthConfig& c) { c.canaries.count = 3; c.canaries.speakers = {"1001", "1001"}; },
                  "canary-speakers", "1001");
  expect_rejected([](SynthConfig& c) { c.canaries.count = 3; c.canaries.name = "R2 D2"; }, "canary-name", "R2 D2");
  expect_rejected([](SynthConfig& c) { c.canaries.count = 3; c.canaries.new_speakers = 0; }, "canary-new-speakers",
                  "0");
  expect_rejected(
      [](SynthConfig& c) { c.pretrain_speakers = c.aux_speakers = c.heldout_speakers = c.finetune_speakers = 0; },
      "canaries", "0 speakers");
  EXPECT_THROW(parse_canary_kind("poem"), InvalidArgument);
  EXPECT_EQ(parse_canary_kind("random-words"), CanaryKind::RandomWords);
}

TEST(SynthConfig, SplitsResolveOverridesAndJsonHasEveryOption) {
  SynthConfig c;
  c.utts_per_speaker = 7;
  c.aux_utts = 3;
  const auto s = c.splits();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].name, "pretrain");
  EXPECT_EQ(s[0].utts_per_speaker, 7);
  EXPECT_EQ(s[1].utts_per_speaker, 3);
  const auto j = c.to_json();
  for (const char* key : {"seed", "splits", "min_words", "max_words", "name_fraction", "max_names", "jitter_pitch",
                          "jitter_rate", "noise", "snr_min_db", "noise_type", "lead_silence_s", "canaries"})
    EXPECT_TRUE(j.contains(key)) << key;
  SynthConfig d = c;
  d.seed = 2;
  EXPECT_NE(c.to_string(), d.to_string());
  EXPECT_EQ(c.to_string(), SynthConfig(c).to_string());
}

}  // namespace
}  // namespace speechleak::synth

namespace speechleak::synth {
namespace {

// The extra split exists only when asked for, after the others: a corpus without it keeps its identity, and one
// with it keeps every other split's utterances as they were.
TEST(SynthConfig, TheExtraSplitLeavesTheOtherSplitsAsTheyWere) {
  SynthConfig plain;
  plain.utts_per_speaker = 2;
  auto more = plain;
  more.extra_speakers = 3;
  EXPECT_EQ(plain.splits().size(), 4u);
  ASSERT_EQ(more.splits().size(), 5u);
  EXPECT_EQ(more.splits().back().name, "extra");
  EXPECT_FALSE(plain.to_json().at("splits").contains("extra"));
  EXPECT_EQ(more.to_json().at("splits").at("extra").at("speakers"), 3);
  const auto a = plan_corpus(plain), b = plan_corpus(more);
  EXPECT_EQ(a.split_speakers.count("extra"), 0u);
  ASSERT_EQ(b.split_speakers.at("extra").size(), 3u);
  CorpusPlan without_extra = b;
  std::erase_if(without_extra.chapters, [](const ChapterPlan& c) { return c.split == "extra"; });
  EXPECT_EQ(plan_fingerprint(without_extra), plan_fingerprint(a));
  for (const auto& id : b.split_speakers.at("extra")) EXPECT_EQ(a.speaker_split.count(id), 0u) << id;
  more.extra_utts = -1;
  EXPECT_THROW(more.validate(), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::synth
