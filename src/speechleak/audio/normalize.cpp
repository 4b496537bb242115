#include "speechleak/audio/normalize.h"

#include <algorithm>
#include <cmath>

#include "speechleak/util/error.h"

namespace speechleak::audio {
namespace {

// Mean and (biased) variance in double precision: long waveforms lose digits in float.
std::pair<double, double> mean_var(std::span<const float> x) {
  double sum = 0, sq = 0;
  for (float v : x) sum += v;
  const double mean = x.empty() ? 0.0 : sum / x.size();
  for (float v : x) sq += (v - mean) * (v - mean);
  return {mean, x.empty() ? 0.0 : sq / x.size()};
}

void standardise(std::span<float> x, double eps) {
  auto [mean, var] = mean_var(x);
  const double scale = 1.0 / std::sqrt(var + eps);
  for (float& v : x) v = static_cast<float>((v - mean) * scale);
}

}  // namespace

void normalize(std::span<float> samples, Normalization mode) {
  switch (mode) {
    case Normalization::None: return;
    case Normalization::Peak: {
      float peak = 0;
      for (float v : samples) peak = std::max(peak, std::abs(v));
      if (peak > 0)
        for (float& v : samples) v /= peak;
      return;
    }
    case Normalization::ZeroMeanUnitVar: standardise(samples, 1e-7); return;  // transformers' Wav2Vec2FeatureExtractor
    case Normalization::LayerNorm: standardise(samples, 1e-5); return;        // torch layer_norm default eps
  }
}

Normalization parse_normalization(const std::string& name) {
  if (name == "none") return Normalization::None;
  if (name == "peak") return Normalization::Peak;
  if (name == "zero-mean-unit-var" || name == "hf") return Normalization::ZeroMeanUnitVar;
  if (name == "layer-norm" || name == "fairseq") return Normalization::LayerNorm;
  throw invalid_argument("normalization", "one of none, peak, zero-mean-unit-var (hf), layer-norm (fairseq)",
                         "'" + name + "'");
}

std::string to_string(Normalization mode) {
  switch (mode) {
    case Normalization::None: return "none";
    case Normalization::Peak: return "peak";
    case Normalization::ZeroMeanUnitVar: return "zero-mean-unit-var";
    case Normalization::LayerNorm: return "layer-norm";
  }
  return "?";
}

}  // namespace speechleak::audio
