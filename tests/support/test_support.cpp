#include "support/test_support.h"

#include <sndfile.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

extern char** environ;

namespace speechleak::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("speechleak-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
           std::to_string(rd() % 100000));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_text(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<float> sine(double freq, double seconds, int rate, float amp, int channels) {
  const auto n = static_cast<size_t>(std::llround(seconds * rate));
  std::vector<float> out(n * channels);
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < channels; ++c)
      out[i * channels + c] = static_cast<float>(amp / (c + 1) * std::sin(2 * M_PI * freq * i / rate));
  return out;
}

void write_tone(const std::filesystem::path& path, double seconds, int rate, double freq) {
  std::filesystem::create_directories(path.parent_path());
  auto samples = sine(freq, seconds, rate, 0.3f, 1);
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = (path.extension() == ".flac" ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) throw std::runtime_error("cannot write " + path.string() + ": " + sf_strerror(nullptr));
  sf_write_float(f, samples.data(), static_cast<sf_count_t>(samples.size()));
  sf_close(f);
}

std::filesystem::path write_tone_librispeech(const std::filesystem::path& root, const std::string& subset,
                                             int first_speaker, int speakers, int utts) {
  for (int spk = first_speaker; spk < first_speaker + speakers; ++spk) {
    const auto chapter = root / subset / std::to_string(spk) / "3";
    std::string trans;
    for (int u = 0; u < utts; ++u) {
      const std::string id = std::to_string(spk) + "-3-" + std::to_string(1000 + u);
      write_tone(chapter / (id + ".flac"), 1.0 + 0.1 * (u % 10), 16000, 150.0 + 40 * spk + 11 * u);
      trans += id + " W\n";
    }
    write_text(chapter / (std::to_string(spk) + "-3.trans.txt"), trans);
  }
  return root;
}

int start_command(const std::string& command, const std::filesystem::path& log) {
  const std::string script = "exec " + command + " > '" + log.string() + "' 2>&1";
  std::string sh = "sh", c = "-c", s = script;
  char* argv[] = {sh.data(), c.data(), s.data(), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, environ) != 0) return -1;
  return pid;
}

int wait_command(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_command(const std::string& command, std::string* output) {
  std::string cmd = command + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    if (output) output->append(buf.data(), n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace speechleak::testing
