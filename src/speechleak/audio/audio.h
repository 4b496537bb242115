#pragma once
// Mono float32 PCM: the unit every other room works with. Samples are nominally in [-1, 1].
#include <cstdint>
#include <vector>

namespace speechleak::audio {

inline constexpr int kModelSampleRate = 16000;
// The wav2vec 2.0 conv front end's receptive field: shorter inputs produce no frame.
inline constexpr int64_t kMinModelSamples = 400;

struct Audio {
  std::vector<float> samples;  // mono
  int sample_rate = kModelSampleRate;

  double duration_s() const { return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0; }
};

}  // namespace speechleak::audio
