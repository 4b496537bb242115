#include "speechleak/audio/audio_error.h"

namespace speechleak::audio {

const char* to_string(AudioProblem problem) {
  switch (problem) {
    case AudioProblem::Missing: return "missing";
    case AudioProblem::Unreadable: return "unreadable";
    case AudioProblem::Corrupt: return "corrupt";
    case AudioProblem::Truncated: return "truncated";
    case AudioProblem::Empty: return "empty";
    case AudioProblem::TooShort: return "too short";
    case AudioProblem::TooLong: return "too long";
    case AudioProblem::NonFinite: return "non-finite samples";
    case AudioProblem::BadSegment: return "bad segment";
    case AudioProblem::CommandFailed: return "command failed";
  }
  return "audio error";
}

AudioError::AudioError(std::string source, AudioProblem problem, const std::string& detail)
    : Error(source + ": " + to_string(problem) + ": " + detail), source_(std::move(source)), problem_(problem) {}

}  // namespace speechleak::audio
