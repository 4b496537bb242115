#include "speechleak/corpus/utterance_audio.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "speechleak/audio/audio_error.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

extern char** environ;

namespace speechleak::corpus {

namespace {

constexpr size_t kStderrTail = 2000;

audio::AudioError command_failed(const std::string& command, const std::string& detail) {
  return audio::AudioError(command + " |", audio::AudioProblem::CommandFailed, detail);
}

// Closes a pipe pair's ends that are still open, on every path out.
struct Pipes {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  ~Pipes() {
    for (int fd : {out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
  }
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

pid_t spawn_shell(const std::string& command, Pipes& p) {
  if (::pipe2(p.out, O_CLOEXEC) != 0 || ::pipe2(p.err, O_CLOEXEC) != 0)
    throw command_failed(command, std::string("cannot create pipes: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, p.out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, p.err[1], 2);
  std::string sh = "sh", c = "-c", cmd = command;
  char* argv[] = {sh.data(), c.data(), cmd.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, "/bin/sh", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw command_failed(command, std::string("cannot start /bin/sh: ") + std::strerror(rc));
  Pipes::close_fd(p.out[1]);
  Pipes::close_fd(p.err[1]);
  return pid;
}

// Reads both pipes until EOF; false when stdout exceeded `limit` (reading stops then).
bool drain(Pipes& p, int64_t limit, std::vector<unsigned char>& out, std::string& err) {
  std::array<unsigned char, 65536> buf;
  while (p.out[0] >= 0 || p.err[0] >= 0) {
    pollfd fds[2] = {{p.out[0], POLLIN, 0}, {p.err[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return true;
    }
    for (int k = 0; k < 2; ++k) {
      int& fd = k == 0 ? p.out[0] : p.err[0];
      if (fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        Pipes::close_fd(fd);
        continue;
      }
      if (k == 0)
        out.insert(out.end(), buf.begin(), buf.begin() + n);
      else
        err.append(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
      if (err.size() > 2 * kStderrTail) err.erase(0, err.size() - kStderrTail);
      if (static_cast<int64_t>(out.size()) > limit) return false;
    }
  }
  return true;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string stderr_tail(const std::string& err) {
  if (err.empty()) return "";
  const auto tail = err.size() > kStderrTail ? err.substr(err.size() - kStderrTail) : err;
  return "; stderr: " + tail;
}

}  // namespace

void AudioPolicy::validate() const {
  if (!(max_seconds >= 0) || !std::isfinite(max_seconds))
    throw invalid_argument("max_seconds", "0 (no limit) or a duration in seconds", std::to_string(max_seconds));
  if (max_command_output_bytes <= 0)
    throw invalid_argument("max_command_output_bytes", "a positive byte count",
                           std::to_string(max_command_output_bytes));
}

std::string AudioPolicy::to_string() const {
  return std::string("allow_commands=") + (allow_commands ? "true" : "false") +
         " max_command_output_bytes=" + std::to_string(max_command_output_bytes) +
         " max_seconds=" + text::general(max_seconds);
}

std::vector<unsigned char> run_audio_command(const std::string& command, const AudioPolicy& policy) {
  policy.validate();
  if (!policy.allow_commands)
    throw command_failed(command, "piped commands are not allowed: set allow_commands to run them");
  Pipes pipes;
  const pid_t pid = spawn_shell(command, pipes);
  std::vector<unsigned char> out;
  std::string err;
  const bool within_limit = drain(pipes, policy.max_command_output_bytes, out, err);
  if (!within_limit) ::kill(pid, SIGKILL);
  const int status = wait_for(pid);
  if (!within_limit)
    throw command_failed(
        command, "output exceeds max_command_output_bytes (" + std::to_string(policy.max_command_output_bytes) + ")");
  if (WIFSIGNALED(status))
    throw command_failed(command, "killed by signal " + std::to_string(WTERMSIG(status)) + stderr_tail(err));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw command_failed(command, "exit status " + std::to_string(WEXITSTATUS(status)) + stderr_tail(err));
  return out;
}

audio::Audio load_utterance_audio(const Utterance& utterance, const audio::ReadOptions& options,
                                  const AudioPolicy& policy) {
  policy.validate();
  const auto& s = utterance.source;
  audio::ReadOptions opts = options;
  if (policy.max_seconds > 0 && (opts.max_seconds <= 0 || policy.max_seconds < opts.max_seconds))
    opts.max_seconds = policy.max_seconds;
  if (s.channel >= 0) opts.channel = s.channel;
  switch (s.kind) {
    case AudioSource::Kind::File: return audio::read_audio(s.path, opts);
    case AudioSource::Kind::Segment:
      opts.start_s = s.start_s;
      opts.end_s = s.end_s;
      return audio::read_audio(s.path, opts);
    case AudioSource::Kind::Command: {
      // A recording cut by Kaldi segments carries its bounds; a whole piped recording (start 0, end -1)
      // leaves the caller's bounds alone, as for a File.
      if (s.start_s > 0 || s.end_s >= 0) {
        opts.start_s = s.start_s;
        opts.end_s = s.end_s;
      }
      const auto bytes = run_audio_command(s.command, policy);
      return audio::decode_audio(bytes, s.describe(), opts);
    }
  }
  throw Error("utterance " + utterance.id + ": unknown audio source kind");
}

}  // namespace speechleak::corpus
