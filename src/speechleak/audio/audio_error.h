#pragma once
// The one exception type for audio that cannot be used, typed by what was wrong, naming the file.
#include <filesystem>
#include <string>

#include "speechleak/util/error.h"

namespace speechleak::audio {

enum class AudioProblem {
  Missing,      // no such file
  Unreadable,   // exists but cannot be opened (permissions, not an audio format libsndfile knows)
  Corrupt,      // opened, but decoding failed
  Truncated,    // header promises more frames than the file holds
  Empty,        // zero samples
  TooShort,     // fewer samples than the minimum asked for (default: 400 at 16 kHz)
  TooLong,      // longer than the limit asked for (corpus::AudioPolicy::max_seconds)
  NonFinite,    // NaN or infinity in the decoded samples
  BadSegment,   // a requested segment outside the file
  CommandFailed // a piped command (Kaldi wav.scp) failed or is not allowed
};

const char* to_string(AudioProblem problem);

class AudioError : public Error {
 public:
  AudioError(std::string source, AudioProblem problem, const std::string& detail);
  const std::string& source() const { return source_; }  // file path, or "<command> |"
  AudioProblem problem() const { return problem_; }

 private:
  std::string source_;
  AudioProblem problem_;
};

}  // namespace speechleak::audio
