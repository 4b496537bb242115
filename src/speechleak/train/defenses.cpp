#include "speechleak/train/defenses.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "speechleak/audio/transforms.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

double silence_mentions(std::span<float> samples, int sample_rate, const std::vector<NameMention>& mentions) {
  double seconds = 0;
  const double total = static_cast<double>(samples.size()) / sample_rate;
  for (const auto& m : mentions) {
    if (m.start_s >= total || m.end_s <= m.start_s) continue;  // outside the audio or empty: nothing to silence
    audio::SpanReplacement r;
    r.start_s = m.start_s;
    r.end_s = m.end_s;
    r.fill = audio::SpanFill::Silence;
    audio::replace_span(samples, sample_rate, r);
    seconds += std::min(m.end_s, total) - m.start_s;
  }
  return seconds;
}

double draw_noise_snr(const DefenseConfig& config, uint64_t seed) {
  if (!config.noise_augment) return std::numeric_limits<double>::quiet_NaN();
  Rng rng(seed);
  if (uniform01(rng) >= config.noise_prob) return std::numeric_limits<double>::quiet_NaN();
  return config.snr_min_db + uniform01(rng) * (config.snr_max_db - config.snr_min_db);
}

double apply_noise_defense(std::span<float> samples, int sample_rate, const DefenseConfig& config, uint64_t seed) {
  const double snr = draw_noise_snr(config, seed);
  if (std::isnan(snr)) return snr;
  const auto type = config.noise_type == "white" ? audio::NoiseType::White : audio::NoiseType::SpeechShaped;
  audio::add_noise(samples, snr, type, sample_rate, derive_seed(seed, "noise-signal"));
  return snr;
}

}  // namespace speechleak::train
