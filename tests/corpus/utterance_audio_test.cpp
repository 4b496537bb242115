#include "speechleak/corpus/utterance_audio.h"

#include <gtest/gtest.h>

#include "speechleak/audio/audio_error.h"
#include "speechleak/util/error.h"
#include "support/test_support.h"

namespace speechleak::corpus {
namespace {

using speechleak::testing::TempDir;
using speechleak::testing::write_tone;

Utterance utt(AudioSource src) {
  Utterance u;
  u.id = "u1";
  u.speaker_id = "s1";
  u.source = std::move(src);
  return u;
}

AudioPolicy allowing() {
  AudioPolicy p;
  p.allow_commands = true;
  return p;
}

// The AudioError `f` throws (problem and message), failing the test when it throws none.
template <typename Fn>
std::pair<audio::AudioProblem, std::string> audio_error(Fn f) {
  try {
    f();
  } catch (const audio::AudioError& e) {
    return {e.problem(), e.what()};
  }
  ADD_FAILURE() << "expected audio::AudioError";
  return {audio::AudioProblem::Missing, ""};
}

TEST(UtteranceAudio, FileAndSegment) {
  TempDir dir;
  write_tone(dir / "a.wav", 0.5);
  EXPECT_EQ(load_utterance_audio(utt(AudioSource::file((dir / "a.wav").string()))).samples.size(), 8000u);
  const auto seg = utt(AudioSource::segment((dir / "a.wav").string(), 0.1, 0.3));
  EXPECT_EQ(load_utterance_audio(seg).samples.size(), 3200u);
  audio::ReadOptions whole_file_window;
  whole_file_window.end_s = 0.05;  // replaced by the segment's bounds
  EXPECT_EQ(load_utterance_audio(seg, whole_file_window).samples.size(), 3200u);
  audio::ReadOptions at_8k;
  at_8k.target_rate = 8000;
  EXPECT_EQ(load_utterance_audio(seg, at_8k).samples.size(), 1600u);
}

// The length limit bounds what the encoder sees, so a segment of a long recording passes where the whole file does
// not; the stricter of the caller's and the policy's limits applies, and the check comes before decoding.
TEST(UtteranceAudio, AudioLongerThanThePolicysLimitIsTooLong) {
  TempDir dir;
  write_tone(dir / "long.wav", 3.0);
  AudioPolicy two_seconds;
  two_seconds.max_seconds = 2;
  const auto file = utt(AudioSource::file((dir / "long.wav").string()));
  const auto [problem, message] = audio_error([&] { load_utterance_audio(file, {}, two_seconds); });
  EXPECT_EQ(problem, audio::AudioProblem::TooLong);
  EXPECT_NE(message.find("long.wav: too long: 3 s; the limit is 2 s"), std::string::npos) << message;
  const auto segment = utt(AudioSource::segment((dir / "long.wav").string(), 0.5, 2.0));
  EXPECT_EQ(load_utterance_audio(segment, {}, two_seconds).samples.size(), 24000u);
  audio::ReadOptions one_second;
  one_second.max_seconds = 1;
  EXPECT_EQ(audio_error([&] { load_utterance_audio(segment, one_second, two_seconds); }).first,
            audio::AudioProblem::TooLong);
  two_seconds.max_seconds = 0;  // no limit
  EXPECT_EQ(load_utterance_audio(file, {}, two_seconds).samples.size(), 48000u);
  two_seconds.max_seconds = -1;
  EXPECT_THROW(two_seconds.validate(), InvalidArgument);
}

TEST(UtteranceAudio, CommandRunsOnlyWhenAllowed) {
  TempDir dir;
  write_tone(dir / "b.wav", 0.25);
  const auto u = utt(AudioSource::piped("cat '" + (dir / "b.wav").string() + "'"));
  const auto refused = audio_error([&] { load_utterance_audio(u); });
  EXPECT_EQ(refused.first, audio::AudioProblem::CommandFailed);
  EXPECT_NE(refused.second.find("allow_commands"), std::string::npos) << refused.second;
  const auto a = load_utterance_audio(u, {}, allowing());
  EXPECT_EQ(a.samples.size(), 4000u);
  EXPECT_NEAR(a.duration_s(), 0.25, 1e-9);
}

TEST(UtteranceAudio, CommandWithSegmentBounds) {
  TempDir dir;
  write_tone(dir / "b.wav", 0.5);
  auto src = AudioSource::piped("cat '" + (dir / "b.wav").string() + "'");
  src.start_s = 0.25;
  src.end_s = 0.5;
  EXPECT_EQ(load_utterance_audio(utt(src), {}, allowing()).samples.size(), 4000u);
}

TEST(UtteranceAudio, FailingCommandNamesItAndQuotesStderr) {
  const auto u = utt(AudioSource::piped("echo no such recording >&2; exit 3"));
  const auto failed = audio_error([&] { load_utterance_audio(u, {}, allowing()); });
  EXPECT_EQ(failed.first, audio::AudioProblem::CommandFailed);
  EXPECT_NE(failed.second.find("echo no such recording >&2; exit 3 |"), std::string::npos) << failed.second;
  EXPECT_NE(failed.second.find("exit status 3"), std::string::npos) << failed.second;
  EXPECT_NE(failed.second.find("stderr: no such recording"), std::string::npos) << failed.second;
  const auto killed = audio_error([&] { run_audio_command("kill -9 $$", allowing()); });
  EXPECT_NE(killed.second.find("killed by signal 9"), std::string::npos) << killed.second;
}

TEST(UtteranceAudio, CommandOutputThatIsNotAudio) {
  const auto u = utt(AudioSource::piped("echo hello"));
  const auto bad = audio_error([&] { load_utterance_audio(u, {}, allowing()); });
  EXPECT_NE(bad.first, audio::AudioProblem::CommandFailed);  // it ran; decoding failed
  EXPECT_NE(bad.second.find("echo hello |"), std::string::npos) << bad.second;
}

TEST(UtteranceAudio, OutputLimitAndPolicyValidation) {
  AudioPolicy small = allowing();
  small.max_command_output_bytes = 1000;
  const auto big = audio_error([&] { run_audio_command("head -c 100000 /dev/zero", small); });
  EXPECT_NE(big.second.find("exceeds max_command_output_bytes"), std::string::npos) << big.second;
  EXPECT_EQ(run_audio_command("printf abc", allowing()), (std::vector<unsigned char>{'a', 'b', 'c'}));
  small.max_command_output_bytes = 0;
  EXPECT_THROW(small.validate(), InvalidArgument);
  EXPECT_EQ(AudioPolicy{}.to_string(), "allow_commands=false max_command_output_bytes=2147483648 max_seconds=120");
}

TEST(UtteranceAudio, MissingFileIsAnAudioError) {
  const auto missing = audio_error([&] { load_utterance_audio(utt(AudioSource::file("/nonexistent/x.wav"))); });
  EXPECT_EQ(missing.first, audio::AudioProblem::Missing);
}

}  // namespace
}  // namespace speechleak::corpus
