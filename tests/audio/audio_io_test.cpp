#include <gtest/gtest.h>

#include <fstream>

#include "audio/audio_test_util.h"
#include "speechleak/audio/audio_error.h"
#include "speechleak/audio/audio_io.h"
#include "support/test_support.h"

namespace speechleak::audio {
namespace {
using speechleak::testing::TempDir;
using speechleak::testing::write_raw;

// Expects read_audio(path) to throw AudioError with `problem` and a message naming the file.
void expect_audio_error(const std::filesystem::path& path, AudioProblem problem, const ReadOptions& opt = {}) {
  try {
    read_audio(path, opt);
    FAIL() << "no error for " << path;
  } catch (const AudioError& e) {
    EXPECT_EQ(e.problem(), problem) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_EQ(e.source(), path.string());
  }
}

TEST(AudioIo, ReadsWavFlacAndOggAtTheirRates) {
  TempDir dir;
  auto tone = speechleak::testing::sine(440.0, 0.5, 16000, 0.5f, 1);
  write_raw(dir / "a.wav", tone, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  write_raw(dir / "a.flac", tone, 16000, 1, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  write_raw(dir / "a.ogg", tone, 16000, 1, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
  for (const char* name : {"a.wav", "a.flac", "a.ogg"}) {
    Audio a = read_audio(dir / name);
    EXPECT_EQ(a.sample_rate, 16000) << name;
    EXPECT_NEAR(static_cast<double>(a.samples.size()), 8000.0, 1.0) << name;
    EXPECT_NEAR(speechleak::testing::measured_frequency(a.samples, 16000), 440.0, 1.0) << name;
  }
  EXPECT_EQ(probe_audio(dir / "a.flac").format, "FLAC");
  EXPECT_EQ(probe_audio(dir / "a.flac").frames, 8000);
}

TEST(AudioIo, SelectsAChannelOrMixesDown) {
  TempDir dir;
  std::vector<float> stereo;
  for (int i = 0; i < 1000; ++i) {
    stereo.push_back(0.5f);
    stereo.push_back(-0.25f);
  }
  write_raw(dir / "s.wav", stereo, 16000, 2, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  ReadOptions opt;
  EXPECT_FLOAT_EQ(read_audio(dir / "s.wav", opt).samples[10], 0.125f);
  opt.channel = 1;
  EXPECT_FLOAT_EQ(read_audio(dir / "s.wav", opt).samples[10], -0.25f);
  opt.channel = 2;
  EXPECT_THROW(read_audio(dir / "s.wav", opt), InvalidArgument);
}

TEST(AudioIo, ReadsASegment) {
  TempDir dir;
  std::vector<float> ramp(16000);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i) / 16000.0f;
  write_raw(dir / "r.wav", ramp, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  ReadOptions opt;
  opt.start_s = 0.25;
  opt.end_s = 0.5;
  Audio a = read_audio(dir / "r.wav", opt);
  ASSERT_EQ(a.samples.size(), 4000u);
  EXPECT_FLOAT_EQ(a.samples[0], 0.25f);
  opt.start_s = 2.0;
  opt.end_s = 3.0;
  expect_audio_error(dir / "r.wav", AudioProblem::BadSegment, opt);
}

TEST(AudioIo, WritesWavAndFlacThatReadBack) {
  TempDir dir;
  Audio a;
  a.samples = speechleak::testing::sine(440.0, 0.3, 16000, 0.5f, 1);
  for (const char* name : {"o.wav", "o.flac"}) {
    write_audio(dir / name, a);
    Audio b = read_audio(dir / name);
    ASSERT_EQ(b.samples.size(), a.samples.size()) << name;
    for (size_t i = 0; i < a.samples.size(); ++i) ASSERT_NEAR(b.samples[i], a.samples[i], 1.0 / 32000) << name;
  }
  WriteOptions f32;
  f32.sample_format = SampleFormat::Float32;
  write_audio(dir / "f.wav", a, f32);
  EXPECT_EQ(read_audio(dir / "f.wav").samples, a.samples);
  EXPECT_THROW(write_audio(dir / "f.flac", a, f32), InvalidArgument);
  EXPECT_THROW(write_audio(dir / "x.mp3", a), InvalidArgument);
  // No temporary files left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST(AudioIoErrors, MissingDirectoryZeroBytesAndGarbage) {
  TempDir dir;
  expect_audio_error(dir / "nope.flac", AudioProblem::Missing);
  std::filesystem::create_directories(dir / "d.wav");
  expect_audio_error(dir / "d.wav", AudioProblem::Unreadable);
  speechleak::testing::write_text(dir / "zero.wav", "");
  expect_audio_error(dir / "zero.wav", AudioProblem::Empty);
  speechleak::testing::write_text(dir / "garbage.flac", std::string(5000, 'x'));
  expect_audio_error(dir / "garbage.flac", AudioProblem::Unreadable);
}

TEST(AudioIoErrors, EmptyTooShortAndNonFinite) {
  TempDir dir;
  write_raw(dir / "empty.wav", {}, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  expect_audio_error(dir / "empty.wav", AudioProblem::Empty);
  write_raw(dir / "short.wav", std::vector<float>(399, 0.1f), 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  expect_audio_error(dir / "short.wav", AudioProblem::TooShort);
  // The minimum applies after resampling: 150 samples at 8 kHz are 300 at 16 kHz.
  write_raw(dir / "short8k.wav", std::vector<float>(150, 0.1f), 8000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  expect_audio_error(dir / "short8k.wav", AudioProblem::TooShort);
  ReadOptions no_min;
  no_min.min_samples = 0;
  EXPECT_EQ(read_audio(dir / "short.wav", no_min).samples.size(), 399u);
  std::vector<float> nan(1000, 0.1f);
  nan[500] = std::nanf("");
  write_raw(dir / "nan.wav", nan, 16000, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  expect_audio_error(dir / "nan.wav", AudioProblem::NonFinite);
}

TEST(AudioIoErrors, TruncatedFlacAndWav) {
  TempDir dir;
  auto tone = speechleak::testing::sine(440.0, 1.0, 16000, 0.5f, 1);
  for (const char* name : {"t.flac", "t.wav"}) {
    auto path = dir / name;
    write_raw(path, tone, 16000, 1,
              (std::string(name) == "t.flac" ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
    try {
      read_audio(path);
      FAIL() << "no error for truncated " << name;
    } catch (const AudioError& e) {
      EXPECT_EQ(e.problem(), AudioProblem::Truncated) << e.what();
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
    }
  }
}

TEST(AudioIo, DecodesBytesInMemory) {
  TempDir dir;
  write_raw(dir / "m.flac", speechleak::testing::sine(440.0, 0.5, 22050, 0.5f, 1), 22050, 1,
            SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  std::ifstream in(dir / "m.flac", std::ios::binary);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
  Audio a = decode_audio(bytes, "cmd |");
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_NEAR(static_cast<double>(a.samples.size()), 8000.0, 1.0);
  try {
    std::vector<unsigned char> junk(100, 7);
    decode_audio(junk, "junk-source");
    FAIL();
  } catch (const AudioError& e) {
    EXPECT_EQ(e.source(), "junk-source");
  }
}

// fuzz/regressions/audio: a WAV header whose rate field says 1,526,734,656 Hz crashed soxr (resampling to zero
// samples); the rate range is now checked before decoding goes further.
TEST(AudioIo, AHeaderRateOutsideRealRecordingsIsRefusedAsCorrupt) {
  const auto path = std::filesystem::path(SPEECHLEAK_SOURCE_DIR) / "fuzz/regressions/audio/header-rate-1526734656-hz.wav";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
  for (int rate : {16000, 0}) {
    ReadOptions options;
    options.target_rate = rate;
    options.min_samples = 0;
    try {
      decode_audio(bytes, "fuzzed.wav", options);
      FAIL() << "decoded a header claiming 1.5 GHz";
    } catch (const AudioError& e) {
      EXPECT_EQ(e.problem(), AudioProblem::Corrupt);
      EXPECT_NE(std::string(e.what()).find("1526734656 Hz"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace speechleak::audio
