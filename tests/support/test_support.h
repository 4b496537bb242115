#pragma once
// Helpers for tests that write their own small data trees.
#include <filesystem>
#include <string>
#include <vector>

namespace speechleak::testing {

// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Writes text, creating parent directories.
void write_text(const std::filesystem::path& path, const std::string& content);

// A sine of `seconds` at `freq` Hz, amplitude `amp`, sample rate `rate`, interleaved over `channels`
// (channel c scaled by 1/(c+1) so channels differ).
std::vector<float> sine(double freq, double seconds, int rate, float amp = 0.5f, int channels = 1);

// Writes a 16 kHz mono 16-bit file (format from the extension: .wav or .flac) of a quiet tone.
void write_tone(const std::filesystem::path& path, double seconds, int rate = 16000, double freq = 440.0);

// A LibriSpeech tree: root/subset/S/3/ for `speakers` speakers numbered from `first_speaker`, each with `utts`
// tone utterances S-3-1000, S-3-1001, ... of 1.0-1.9 s (pitch by speaker and utterance) and a trans.txt saying "W".
// Returns root.
std::filesystem::path write_tone_librispeech(const std::filesystem::path& root, const std::string& subset,
                                             int first_speaker, int speakers, int utts);

// Runs a shell command, returns its exit status and captures stdout+stderr into `output`.
int run_command(const std::string& command, std::string* output);

// Starts a shell command in the background (the shell execs the last program, so the pid is the program's when
// `command` is one program), stdout and stderr to `log`; returns its pid.
int start_command(const std::string& command, const std::filesystem::path& log);
// Waits for a started command: its exit status, or 128 + N when signal N killed it.
int wait_command(int pid);

}  // namespace speechleak::testing
