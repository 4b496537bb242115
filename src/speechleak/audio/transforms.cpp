#include "speechleak/audio/transforms.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::audio {
namespace {

double rms(std::span<const float> x) {
  if (x.empty()) return 0.0;
  double sq = 0;
  for (float v : x) sq += static_cast<double>(v) * v;
  return std::sqrt(sq / x.size());
}

// One-pole low-pass coefficient for cut-off fc.
double lowpass_alpha(double fc, int rate) { return 1.0 - std::exp(-2.0 * M_PI * fc / rate); }

// Approximates the long-term average speech spectrum: high-pass at 100 Hz, flat to ~500 Hz, then falling about
// 6 dB/octave, steeper above 4 kHz (two one-pole low-passes). Cheap and deterministic; exact LTASS is not needed
// for masking or augmentation.
void shape_like_speech(std::vector<float>& x, int rate) {
  const double a_hp = lowpass_alpha(100.0, rate);
  const double a_lp1 = lowpass_alpha(500.0, rate);
  const double a_lp2 = lowpass_alpha(4000.0, rate);
  double low = 0, lp1 = 0, lp2 = 0;
  for (float& v : x) {
    low += a_hp * (v - low);
    const double hp = v - low;
    lp1 += a_lp1 * (hp - lp1);
    lp2 += a_lp2 * (lp1 - lp2);
    v = static_cast<float>(lp2);
  }
}

void scale_to_unit_rms(std::vector<float>& x) {
  const double r = rms(x);
  if (r > 0)
    for (float& v : x) v = static_cast<float>(v / r);
}

}  // namespace

void reverse(std::span<float> samples) { std::reverse(samples.begin(), samples.end()); }

std::vector<float> make_noise(int64_t n, NoiseType type, int sample_rate, uint64_t seed) {
  if (n < 0) throw invalid_argument("n", ">= 0 samples", std::to_string(n));
  Rng rng(derive_seed(seed, "noise"));
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = static_cast<float>(standard_normal(rng));
  if (type == NoiseType::SpeechShaped) shape_like_speech(x, sample_rate);
  scale_to_unit_rms(x);
  return x;
}

void add_noise(std::span<float> samples, double snr_db, NoiseType type, int sample_rate, uint64_t seed) {
  if (!std::isfinite(snr_db)) throw invalid_argument("snr_db", "a finite SNR in dB", std::to_string(snr_db));
  const double signal_rms = rms(samples);
  if (signal_rms == 0.0) return;
  const double noise_rms = signal_rms / std::pow(10.0, snr_db / 20.0);
  auto noise = make_noise(static_cast<int64_t>(samples.size()), type, sample_rate, seed);
  for (size_t i = 0; i < samples.size(); ++i) samples[i] += static_cast<float>(noise_rms * noise[i]);
}

void replace_span(std::span<float> samples, int sample_rate, const SpanReplacement& r) {
  if (!(r.start_s <= r.end_s))
    throw invalid_argument("span", "start_s <= end_s", std::to_string(r.start_s) + " > " + std::to_string(r.end_s));
  const auto n = static_cast<int64_t>(samples.size());
  const auto first = std::clamp<int64_t>(std::llround(r.start_s * sample_rate), 0, n);
  const auto last = std::clamp<int64_t>(std::llround(r.end_s * sample_rate), 0, n);
  if (first >= last)
    throw invalid_argument("span", "a time range overlapping the signal's " + std::to_string(n) + " samples",
                           "[" + std::to_string(r.start_s) + ", " + std::to_string(r.end_s) + ") s");
  if (r.fill == SpanFill::Silence) {
    std::fill(samples.begin() + first, samples.begin() + last, 0.0f);
    return;
  }
  // Noise as loud as the speech around it: RMS of the rest of the signal (or of all of it when the span covers
  // everything), so that the masked region is not given away by a level change.
  double reference = r.reference_rms;
  if (!(reference > 0.0)) {
    double sq = 0;
    for (int64_t i = 0; i < n; ++i)
      if (i < first || i >= last) sq += static_cast<double>(samples[i]) * samples[i];
    reference = (n - (last - first)) > 0 ? std::sqrt(sq / (n - (last - first))) : rms(samples);
  }
  if (reference == 0.0) reference = 0.1;
  auto noise = make_noise(last - first, r.noise, sample_rate, r.seed);
  for (int64_t i = first; i < last; ++i) samples[i] = static_cast<float>(r.noise_level * reference * noise[i - first]);
}

Audio crop(const Audio& audio, double start_s, double end_s) {
  const auto n = static_cast<int64_t>(audio.samples.size());
  const auto first = static_cast<int64_t>(std::llround(start_s * audio.sample_rate));
  const int64_t last = end_s < 0 ? n : std::min<int64_t>(n, std::llround(end_s * audio.sample_rate));
  if (start_s < 0 || first >= last)
    throw invalid_argument("crop range", "a non-empty range inside the " + std::to_string(audio.duration_s()) + " s signal",
                           "[" + std::to_string(start_s) + ", " + std::to_string(end_s) + ") s");
  Audio out;
  out.sample_rate = audio.sample_rate;
  out.samples.assign(audio.samples.begin() + first, audio.samples.begin() + last);
  return out;
}

}  // namespace speechleak::audio
