#include "speechleak/audio/resample.h"

#include <soxr.h>

#include <cmath>
#include <string>

#include "speechleak/util/error.h"

namespace speechleak::audio {
namespace {
unsigned long soxr_recipe(ResampleQuality q) {
  switch (q) {
    case ResampleQuality::Quick: return SOXR_QQ;
    case ResampleQuality::Low: return SOXR_LQ;
    case ResampleQuality::Medium: return SOXR_MQ;
    case ResampleQuality::High: return SOXR_HQ;
    case ResampleQuality::VeryHigh: return SOXR_VHQ;
  }
  return SOXR_HQ;
}
}  // namespace

std::vector<float> resample(std::span<const float> input, int from_rate, int to_rate, ResampleQuality quality) {
  if (from_rate <= 0) throw invalid_argument("from_rate", "a positive sample rate", std::to_string(from_rate));
  if (to_rate <= 0) throw invalid_argument("to_rate", "a positive sample rate", std::to_string(to_rate));
  if (from_rate == to_rate || input.empty()) return {input.begin(), input.end()};

  // soxr_oneshot with an output buffer of exactly round(n * ratio) samples: soxr flushes its delay line in
  // one-shot mode, so the output is time-aligned with the input and has the expected length.
  const double ratio = static_cast<double>(to_rate) / from_rate;
  const auto out_len = static_cast<size_t>(std::llround(static_cast<double>(input.size()) * ratio));
  if (out_len == 0) return {};  // soxr reads a null output buffer otherwise
  std::vector<float> output(out_len);
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t q = soxr_quality_spec(soxr_recipe(quality), 0);
  size_t done = 0;
  soxr_error_t err = soxr_oneshot(from_rate, to_rate, 1, input.data(), input.size(), nullptr, output.data(),
                                  output.size(), &done, &io, &q, nullptr);
  if (err) throw Error(std::string("soxr resampling ") + std::to_string(from_rate) + " -> " +
                       std::to_string(to_rate) + " Hz failed: " + err);
  output.resize(done);
  return output;
}

}  // namespace speechleak::audio
