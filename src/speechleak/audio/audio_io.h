#pragma once
// Decoding and encoding audio files through libsndfile (WAV, FLAC, OGG/Vorbis and whatever else it reads).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "speechleak/audio/audio.h"
#include "speechleak/audio/normalize.h"

namespace speechleak::audio {

struct AudioInfo {
  int sample_rate = 0;
  int channels = 0;
  int64_t frames = 0;  // per channel
  std::string format;  // e.g. "FLAC", "WAV"
  double duration_s() const { return sample_rate > 0 ? static_cast<double>(frames) / sample_rate : 0.0; }
};

struct ReadOptions {
  int target_rate = kModelSampleRate;  // 0 keeps the file's rate
  int channel = -1;                    // -1 mixes all channels down to mono; k >= 0 selects channel k
  double start_s = 0.0;                // segment start (seconds, in the file's time base)
  double end_s = -1.0;                 // segment end; < 0 means end of file
  Normalization normalization = Normalization::None;
  int64_t min_samples = kMinModelSamples;  // after resampling; shorter audio raises TooShort. 0 disables.
  double max_seconds = 0;  // longer audio (the segment, when cut) raises TooLong before it is decoded. 0 disables.
  void validate() const;
};

// Header only; throws AudioError (Missing, Unreadable).
AudioInfo probe_audio(const std::filesystem::path& path);

// Decode, select/mix channels, cut the segment, resample, check and normalise. Throws AudioError naming `path`.
Audio read_audio(const std::filesystem::path& path, const ReadOptions& options = {});

// The same from bytes in memory (e.g. the stdout of a Kaldi wav.scp pipe); `source` names it in errors.
Audio decode_audio(std::span<const unsigned char> bytes, const std::string& source, const ReadOptions& options = {});

enum class SampleFormat { Pcm16, Pcm24, Float32 };

struct WriteOptions {
  SampleFormat sample_format = SampleFormat::Pcm16;
  std::optional<std::string> container;  // "wav" | "flac"; default from the file extension
};

// Writes mono audio as WAV or FLAC, atomically (temp file + rename). Float32 is WAV only.
void write_audio(const std::filesystem::path& path, const Audio& audio, const WriteOptions& options = {});

}  // namespace speechleak::audio
