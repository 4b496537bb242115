#pragma once
// Measurements on sines for the audio tests.
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace speechleak::testing {

// Frequency from interpolated upward zero crossings over the middle 80% of the signal.
inline double measured_frequency(const std::vector<float>& x, int rate) {
  const size_t lo = x.size() / 10, hi = x.size() - x.size() / 10;
  double first = -1, last = -1;
  int crossings = 0;
  for (size_t i = lo + 1; i < hi; ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const double t = (i - 1) + x[i - 1] / (x[i - 1] - x[i]);
      if (first < 0) first = t;
      last = t;
      ++crossings;
    }
  }
  if (crossings < 2) return 0;
  return (crossings - 1) / ((last - first) / rate);
}

// Peak amplitude estimated from the RMS of the middle 80%.
inline double measured_amplitude(const std::vector<float>& x) {
  const size_t lo = x.size() / 10, hi = x.size() - x.size() / 10;
  double sq = 0;
  for (size_t i = lo; i < hi; ++i) sq += static_cast<double>(x[i]) * x[i];
  return std::sqrt(2.0 * sq / (hi - lo));
}

// Writes interleaved float samples with libsndfile in the given format.
inline void write_raw(const std::filesystem::path& path, const std::vector<float>& interleaved, int rate, int channels,
                      int format) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) throw std::runtime_error("cannot write " + path.string() + ": " + sf_strerror(nullptr));
  sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
  sf_close(f);
}

}  // namespace speechleak::testing
