#include "speechleak/synth/espeak_engine.h"

#include <espeak-ng/speak_lib.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "speechleak/util/error.h"

namespace speechleak::synth {
namespace {

// What the synthesis callback collects. Only ever written in a worker process (the parent never synthesises).
struct Capture {
  std::vector<int16_t> samples;
  std::vector<EspeakWord> words;
  int64_t end_sample = 0;
};
Capture g_capture;

int capture_callback(short* wav, int n, espeak_EVENT* events) {
  if (wav != nullptr && n > 0) g_capture.samples.insert(g_capture.samples.end(), wav, wav + n);
  for (espeak_EVENT* e = events; e != nullptr && e->type != espeakEVENT_LIST_TERMINATED; ++e) {
    // espeak-ng 1.51 also sends a WORD event of length 0 after the last word (at a punctuation position):
    // it marks no word of the text and is dropped.
    if (e->type == espeakEVENT_WORD && e->length > 0)
      g_capture.words.push_back({e->text_position - 1, e->length, static_cast<int64_t>(e->sample)});
    if (e->type == espeakEVENT_END) g_capture.end_sample = std::max<int64_t>(g_capture.end_sample, e->sample);
  }
  return 0;
}

// ---- the worker's side of the pipe ------------------------------------------------------------------------------

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

template <typename T>
bool write_pod(int fd, const T& v) {
  return write_all(fd, &v, sizeof(v));
}

bool write_error(int fd, const std::string& message) {
  const uint32_t status = 1, len = static_cast<uint32_t>(message.size());
  return write_pod(fd, status) && write_pod(fd, len) && write_all(fd, message.data(), message.size());
}

bool write_result(int fd, const Capture& c) {
  const uint32_t status = 0;
  const uint64_t ns = c.samples.size(), nw = c.words.size();
  return write_pod(fd, status) && write_pod(fd, ns) && write_all(fd, c.samples.data(), ns * sizeof(int16_t)) &&
         write_pod(fd, nw) && write_all(fd, c.words.data(), nw * sizeof(EspeakWord)) && write_pod(fd, c.end_sample);
}

std::string select_voice(const VoiceSettings& v) {
  if (espeak_SetVoiceByName(v.espeak_name.c_str()) != EE_OK)
    return "espeak-ng cannot select voice '" + v.espeak_name + "'";
  // SetVoiceByName ignores an unknown variant silently; the identifier tells whether it was applied.
  const espeak_VOICE* cur = espeak_GetCurrentVoice();
  const auto plus = v.espeak_name.find('+');
  if (plus != std::string::npos && cur != nullptr && cur->identifier != nullptr) {
    std::string_view id(cur->identifier);
    std::string_view variant = std::string_view(v.espeak_name).substr(plus);
    if (id.size() < variant.size() || id.substr(id.size() - variant.size()) != variant)
      return "espeak-ng selected '" + std::string(id) + "' for voice '" + v.espeak_name + "'";
  }
  // Punctuation and capitals keep espeak-ng's defaults (not announced): the parent never changes them.
  const std::pair<espeak_PARAMETER, int> params[] = {{espeakRATE, v.rate},     {espeakPITCH, v.pitch},
                                                     {espeakRANGE, v.range},   {espeakVOLUME, v.volume},
                                                     {espeakWORDGAP, v.word_gap}};
  for (auto [p, value] : params)
    if (espeak_SetParameter(p, value, 0) != EE_OK)
      return "espeak-ng rejected parameter " + std::to_string(p) + " = " + std::to_string(value);
  return {};
}

// Runs in the forked child: speaks every request and streams the results; never returns.
[[noreturn]] void run_worker(int fd, const std::vector<EspeakRequest>& batch) {
  for (const auto& req : batch) {
    std::srand(req.seed);
    if (std::string err = select_voice(req.voice); !err.empty()) {
      write_error(fd, err);
      ::_exit(0);
    }
    g_capture = Capture{};
    const espeak_ERROR r = espeak_Synth(req.text.c_str(), req.text.size() + 1, 0, POS_CHARACTER, 0,
                                        espeakCHARS_UTF8, nullptr, nullptr);
    if (r != EE_OK) {
      write_error(fd, "espeak_Synth failed (code " + std::to_string(r) + ") for text '" + req.text + "'");
      ::_exit(0);
    }
    if (!write_result(fd, g_capture)) ::_exit(3);
  }
  ::_exit(0);
}

// ---- the parent's side -------------------------------------------------------------------------------------------

// Reads until EOF or the deadline; kills the worker on timeout.
std::string read_worker_output(int fd, pid_t pid, double timeout_s) {
  std::string out;
  char buf[1 << 16];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ::kill(pid, SIGKILL);
      throw Error("espeak-ng worker did not finish within " + std::to_string(timeout_s) + " s");
    }
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(std::string("reading from the espeak-ng worker failed: ") + std::strerror(errno));
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

void wait_for_worker(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    throw Error("espeak-ng worker process died with signal " + std::to_string(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("espeak-ng worker process failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")");
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  T pod() {
    T v;
    copy(&v, sizeof(T));
    return v;
  }
  void copy(void* dst, size_t n) {
    if (bytes_.size() - pos_ < n) throw Error("espeak-ng worker output is truncated");
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

std::vector<EspeakResult> parse_results(std::string_view bytes, size_t expected) {
  Reader in(bytes);
  std::vector<EspeakResult> results;
  while (results.size() < expected) {
    if (in.pod<uint32_t>() != 0) {
      std::string msg(in.pod<uint32_t>(), '\0');
      in.copy(msg.data(), msg.size());
      throw Error(msg);
    }
    EspeakResult r;
    r.samples.resize(in.pod<uint64_t>());
    in.copy(r.samples.data(), r.samples.size() * sizeof(int16_t));
    r.words.resize(in.pod<uint64_t>());
    in.copy(r.words.data(), r.words.size() * sizeof(EspeakWord));
    r.end_sample = std::min<int64_t>(in.pod<int64_t>(), static_cast<int64_t>(r.samples.size()));
    if (r.end_sample <= 0) r.end_sample = static_cast<int64_t>(r.samples.size());
    results.push_back(std::move(r));
  }
  if (!in.done()) throw Error("espeak-ng worker wrote more than it was asked for");
  return results;
}

}  // namespace

EspeakEngine& EspeakEngine::instance() {
  static EspeakEngine engine;  // thread-safe initialisation
  return engine;
}

EspeakEngine::EspeakEngine() {
  // DONT_EXIT: without it espeak-ng calls exit() when its data directory is missing.
  sample_rate_ = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, espeakINITIALIZE_DONT_EXIT);
  if (sample_rate_ <= 0) throw Error("libespeak-ng could not be initialised (is espeak-ng-data installed?)");
  espeak_SetSynthCallback(capture_callback);
  version_ = espeak_Info(nullptr);
  espeak_VOICE spec{};
  spec.languages = "variant";
  for (const espeak_VOICE** v = espeak_ListVoices(&spec); v != nullptr && *v != nullptr; ++v) {
    std::string_view id((*v)->identifier);
    if (id.starts_with("!v/")) variant_files_.emplace_back(id.substr(3));
  }
}

bool EspeakEngine::has_variant(const std::string& file) const {
  return std::find(variant_files_.begin(), variant_files_.end(), file) != variant_files_.end();
}

std::vector<EspeakResult> EspeakEngine::synthesize(const std::vector<EspeakRequest>& batch, double timeout_s) const {
  if (batch.empty()) return {};
  std::lock_guard lock(mutex_);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(std::string("pipe() failed: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(std::string("fork() failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    run_worker(fds[1], batch);
  }
  ::close(fds[1]);
  std::string bytes;
  try {
    bytes = read_worker_output(fds[0], pid, timeout_s);
  } catch (...) {
    ::close(fds[0]);
    int status;
    ::waitpid(pid, &status, 0);
    throw;
  }
  ::close(fds[0]);
  wait_for_worker(pid);
  return parse_results(bytes, batch.size());
}

}  // namespace speechleak::synth
