#pragma once
// Waveform transforms used by attacks and defenses. Each takes mono PCM; random ones take an explicit seed.
#include <cstdint>
#include <span>
#include <vector>

#include "speechleak/audio/audio.h"

namespace speechleak::audio {

enum class NoiseType {
  White,
  SpeechShaped  // white noise through a fixed filter approximating the long-term average speech spectrum
};

// Time reversal (the reversal defense/attack of the MIA paper).
void reverse(std::span<float> samples);

// Noise of the given type, n samples, unit RMS.
std::vector<float> make_noise(int64_t n, NoiseType type, int sample_rate, uint64_t seed);

// Adds noise scaled so that 10 log10(P_signal / P_noise) = snr_db (P = mean square over the whole signal).
// A silent signal is left unchanged (no finite SNR exists).
void add_noise(std::span<float> samples, double snr_db, NoiseType type, int sample_rate, uint64_t seed);

enum class SpanFill { Silence, Noise };

struct SpanReplacement {
  double start_s = 0.0;
  double end_s = 0.0;
  SpanFill fill = SpanFill::Noise;
  NoiseType noise = NoiseType::White;
  // Noise RMS relative to the RMS of the untouched remainder of the signal (1.0 = as loud as the speech).
  double noise_level = 1.0;
  // > 0: the noise RMS is noise_level * reference_rms instead (a level measured once, e.g. over the speech only,
  // when several spans of one signal are replaced).
  double reference_rms = 0.0;
  uint64_t seed = 0;
};

// Replaces [start_s, end_s) (clamped to the signal) with silence or noise; throws InvalidArgument when
// start_s > end_s or the span lies wholly outside the signal.
void replace_span(std::span<float> samples, int sample_rate, const SpanReplacement& replacement);

// Samples in [start_s, end_s) (end_s < 0: to the end); throws InvalidArgument for an empty or outside range.
Audio crop(const Audio& audio, double start_s, double end_s);

}  // namespace speechleak::audio
