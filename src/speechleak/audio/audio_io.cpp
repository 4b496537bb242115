#include "speechleak/audio/audio_io.h"

#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <sstream>

#include "speechleak/audio/audio_error.h"
#include "speechleak/audio/resample.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/number_format.h"

namespace speechleak::audio {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string format_name(int format) {
  SF_FORMAT_INFO info{};
  info.format = format & SF_FORMAT_TYPEMASK;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof(info)) == 0 && info.name) {
    std::string name = info.name;
    return name.substr(0, name.find(' '));
  }
  return "unknown";
}

// In-memory byte source for sf_open_virtual.
struct MemoryStream {
  std::span<const unsigned char> bytes;
  sf_count_t pos = 0;
};

SF_VIRTUAL_IO memory_io() {
  SF_VIRTUAL_IO io{};
  io.get_filelen = [](void* u) -> sf_count_t { return static_cast<MemoryStream*>(u)->bytes.size(); };
  io.seek = [](sf_count_t offset, int whence, void* u) -> sf_count_t {
    auto* m = static_cast<MemoryStream*>(u);
    sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : static_cast<sf_count_t>(m->bytes.size());
    m->pos = std::clamp<sf_count_t>(base + offset, 0, m->bytes.size());
    return m->pos;
  };
  io.read = [](void* ptr, sf_count_t count, void* u) -> sf_count_t {
    auto* m = static_cast<MemoryStream*>(u);
    sf_count_t n = std::min<sf_count_t>(count, static_cast<sf_count_t>(m->bytes.size()) - m->pos);
    std::memcpy(ptr, m->bytes.data() + m->pos, n);
    m->pos += n;
    return n;
  };
  io.write = [](const void*, sf_count_t, void*) -> sf_count_t { return 0; };
  io.tell = [](void* u) -> sf_count_t { return static_cast<MemoryStream*>(u)->pos; };
  return io;
}

std::string fmt_seconds(double s) { return text::general(s) + " s"; }

// Frame range [first, last) of the requested segment, validated against the file.
std::pair<sf_count_t, sf_count_t> segment_frames(const std::string& source, const SF_INFO& info,
                                                 const ReadOptions& opt) {
  const double duration = static_cast<double>(info.frames) / info.samplerate;
  auto first = static_cast<sf_count_t>(std::llround(opt.start_s * info.samplerate));
  sf_count_t last = opt.end_s < 0 ? info.frames : static_cast<sf_count_t>(std::llround(opt.end_s * info.samplerate));
  // Kaldi segments are often rounded up past the end by a few ms: tolerate 10 ms, as Kaldi's extract-segments does.
  const sf_count_t tolerance = info.samplerate / 100;
  if (first >= info.frames || last > info.frames + tolerance || last <= first)
    throw AudioError(source, AudioProblem::BadSegment,
                     "segment [" + fmt_seconds(opt.start_s) + ", " + fmt_seconds(opt.end_s) +
                         ") is outside the file's " + fmt_seconds(duration));
  return {first, std::min(last, static_cast<sf_count_t>(info.frames))};
}

std::vector<float> read_frames(SNDFILE* f, const std::string& source, const SF_INFO& info, sf_count_t first,
                               sf_count_t count) {
  if (first > 0 && sf_seek(f, first, SEEK_SET) != first)
    throw AudioError(source, AudioProblem::Corrupt, "cannot seek to frame " + std::to_string(first));
  std::vector<float> interleaved(static_cast<size_t>(count) * info.channels);
  sf_count_t got = sf_readf_float(f, interleaved.data(), count);
  if (sf_error(f) != SF_ERR_NO_ERROR)
    throw AudioError(source, got < count ? AudioProblem::Truncated : AudioProblem::Corrupt,
                     "decoding failed after " + std::to_string(first + got) + " of " + std::to_string(info.frames) +
                         " frames: " + sf_strerror(f));
  if (got < count)
    throw AudioError(source, AudioProblem::Truncated,
                     "header announces " + std::to_string(info.frames) + " frames but only " +
                         std::to_string(first + got) + " could be decoded");
  return interleaved;
}

std::vector<float> to_mono(const std::vector<float>& interleaved, int channels, int channel,
                           const std::string& source) {
  if (channel >= channels)
    throw invalid_argument("channel", "an index below the file's " + std::to_string(channels) + " channels (" +
                                          source + ")",
                           std::to_string(channel));
  if (channels == 1) return interleaved;
  const size_t n = interleaved.size() / channels;
  std::vector<float> mono(n);
  for (size_t i = 0; i < n; ++i) {
    if (channel >= 0) {
      mono[i] = interleaved[i * channels + channel];
    } else {
      double sum = 0;
      for (int c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
      mono[i] = static_cast<float>(sum / channels);
    }
  }
  return mono;
}

// libsndfile silently shortens a WAV/AIFF whose data chunk runs past the end of the file; its header log keeps
// the evidence ("data : 32000 (should be 15978)"). A cut-off file must not pass for a short utterance.
void check_data_chunk(SNDFILE* f, const std::string& source) {
  std::string log(8192, '\0');
  sf_command(f, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
  log.resize(log.find('\0'));
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(pos, end - pos);
    if ((line.rfind("data", 0) == 0 || line.rfind("SSND", 0) == 0) && line.find("(should be") != std::string::npos)
      throw AudioError(source, AudioProblem::Truncated, "the data chunk is shorter than its header says (" + line + ")");
    pos = end + 1;
  }
}

// The sample rates a header may state (see read_audio).
constexpr int kMinFileRate = 1000;
constexpr int kMaxFileRate = 768000;

Audio decode_open(SNDFILE* f, const SF_INFO& info, const std::string& source, const ReadOptions& opt) {
  check_data_chunk(f, source);
  if (info.frames <= 0 || info.channels <= 0) throw AudioError(source, AudioProblem::Empty, "the file holds no samples");
  // libsndfile takes the header's rate as written; a damaged one would resample to nothing or to gigabytes.
  if (info.samplerate < kMinFileRate || info.samplerate > kMaxFileRate)
    throw AudioError(source, AudioProblem::Corrupt,
                     "the header's sample rate is " + std::to_string(info.samplerate) + " Hz; expected " +
                         std::to_string(kMinFileRate) + "-" + std::to_string(kMaxFileRate) + " Hz");
  auto [first, last] = segment_frames(source, info, opt);
  const double seconds = static_cast<double>(last - first) / info.samplerate;
  if (opt.max_seconds > 0 && seconds > opt.max_seconds)
    throw AudioError(source, AudioProblem::TooLong,
                     fmt_seconds(seconds) + "; the limit is " + fmt_seconds(opt.max_seconds) +
                         " (it bounds the encoder's memory, which grows with the square of the length)");
  Audio out;
  out.samples = to_mono(read_frames(f, source, info, first, last - first), info.channels, opt.channel, source);
  out.sample_rate = info.samplerate;
  for (size_t i = 0; i < out.samples.size(); ++i)
    if (!std::isfinite(out.samples[i]))
      throw AudioError(source, AudioProblem::NonFinite, "sample " + std::to_string(i) + " is not finite");
  if (opt.target_rate > 0 && opt.target_rate != out.sample_rate) {
    out.samples = resample(out.samples, out.sample_rate, opt.target_rate);
    out.sample_rate = opt.target_rate;
  }
  if (opt.min_samples > 0 && static_cast<int64_t>(out.samples.size()) < opt.min_samples)
    throw AudioError(source, AudioProblem::TooShort,
                     std::to_string(out.samples.size()) + " samples at " + std::to_string(out.sample_rate) +
                         " Hz; at least " + std::to_string(opt.min_samples) + " expected");
  normalize(out.samples, opt.normalization);
  return out;
}

SndfilePtr open_file(const std::filesystem::path& path, SF_INFO* info) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw AudioError(path.string(), AudioProblem::Missing, "no such file");
  if (std::filesystem::is_directory(path, ec))
    throw AudioError(path.string(), AudioProblem::Unreadable, "is a directory, not an audio file");
  if (std::filesystem::file_size(path, ec) == 0)
    throw AudioError(path.string(), AudioProblem::Empty, "the file is 0 bytes long");
  *info = SF_INFO{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, info);
  if (!f)
    throw AudioError(path.string(), AudioProblem::Unreadable,
                     std::string(sf_strerror(nullptr)) + " (expected WAV, FLAC, OGG/Vorbis or another libsndfile format)");
  return SndfilePtr(f);
}

}  // namespace

void ReadOptions::validate() const {
  if (target_rate < 0) throw invalid_argument("target_rate", "0 (keep) or a positive rate", std::to_string(target_rate));
  if (channel < -1) throw invalid_argument("channel", "-1 (mix) or a channel index", std::to_string(channel));
  if (start_s < 0 || !std::isfinite(start_s))
    throw invalid_argument("start_s", "a finite time >= 0", std::to_string(start_s));
  if (end_s >= 0 && end_s <= start_s)
    throw invalid_argument("end_s", "< 0 (end of file) or after start_s=" + std::to_string(start_s),
                           std::to_string(end_s));
  if (min_samples < 0) throw invalid_argument("min_samples", ">= 0", std::to_string(min_samples));
  if (!(max_seconds >= 0) || !std::isfinite(max_seconds))
    throw invalid_argument("max_seconds", "0 (no limit) or a duration in seconds", std::to_string(max_seconds));
}

AudioInfo probe_audio(const std::filesystem::path& path) {
  SF_INFO info;
  auto f = open_file(path, &info);
  return AudioInfo{info.samplerate, info.channels, info.frames, format_name(info.format)};
}

Audio read_audio(const std::filesystem::path& path, const ReadOptions& options) {
  options.validate();
  SF_INFO info;
  auto f = open_file(path, &info);
  return decode_open(f.get(), info, path.string(), options);
}

Audio decode_audio(std::span<const unsigned char> bytes, const std::string& source, const ReadOptions& options) {
  options.validate();
  if (bytes.empty()) throw AudioError(source, AudioProblem::Empty, "no bytes");
  MemoryStream stream{bytes, 0};
  SF_VIRTUAL_IO io = memory_io();
  SF_INFO info{};
  SndfilePtr f(sf_open_virtual(&io, SFM_READ, &info, &stream));
  if (!f) throw AudioError(source, AudioProblem::Unreadable, sf_strerror(nullptr));
  return decode_open(f.get(), info, source, options);
}

void write_audio(const std::filesystem::path& path, const Audio& audio, const WriteOptions& options) {
  std::string container = options.container.value_or(path.extension().string());
  if (!container.empty() && container[0] == '.') container = container.substr(1);
  int major;
  if (container == "wav" || container == "WAV") major = SF_FORMAT_WAV;
  else if (container == "flac" || container == "FLAC") major = SF_FORMAT_FLAC;
  else throw invalid_argument("container of " + path.string(), "wav or flac", "'" + container + "'");
  int subtype = options.sample_format == SampleFormat::Pcm16   ? SF_FORMAT_PCM_16
                : options.sample_format == SampleFormat::Pcm24 ? SF_FORMAT_PCM_24
                                                               : SF_FORMAT_FLOAT;
  if (major == SF_FORMAT_FLAC && subtype == SF_FORMAT_FLOAT)
    throw invalid_argument("sample_format for " + path.string(), "Pcm16 or Pcm24 (FLAC stores integers)", "Float32");
  if (audio.sample_rate <= 0)
    throw invalid_argument("sample_rate", "a positive rate", std::to_string(audio.sample_rate));

  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  auto tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  SF_INFO info{};
  info.samplerate = audio.sample_rate;
  info.channels = 1;
  info.format = major | subtype;
  // errno says why a write failed (a full disk, a size limit); libsndfile's own text only says that it did.
  const auto fail = [&](const std::filesystem::path& file, int err, const std::string& library_text) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw FileError(file, err ? write_failure(err) : "cannot be written: " + library_text);
  };
  errno = 0;
  SndfilePtr f(sf_open(tmp.c_str(), SFM_WRITE, &info));
  if (!f) fail(tmp, errno, sf_strerror(nullptr));
  // Clip instead of wrapping around when float samples exceed [-1, 1].
  sf_command(f.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  const auto n = static_cast<sf_count_t>(audio.samples.size());
  errno = 0;
  const bool written = sf_writef_float(f.get(), audio.samples.data(), n) == n;
  const int write_errno = errno;
  const std::string write_text = sf_strerror(f.get());
  // Closing flushes the encoder's last block (FLAC): a full disk can show only here.
  errno = 0;
  const int closed = sf_close(f.release());
  if (!written) fail(path, write_errno, write_text);
  if (closed != 0) fail(path, errno, sf_error_number(closed));
  std::filesystem::rename(tmp, path);
}

}  // namespace speechleak::audio
