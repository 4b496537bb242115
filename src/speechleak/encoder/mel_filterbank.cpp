#include "speechleak/encoder/mel_filterbank.h"

#include <ATen/ATen.h>

#include <cmath>

namespace speechleak::encoder {

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

at::Tensor mel_filterbank(int n_fft, int n_mels, int sample_rate, double f_min, double f_max) {
  const int64_t n_freqs = n_fft / 2 + 1;
  auto opts = at::TensorOptions().dtype(at::kDouble);
  auto all_freqs = at::linspace(0.0, sample_rate / 2.0, n_freqs, opts);
  auto m_pts = at::linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, opts);
  auto f_pts = 700.0 * (at::pow(10.0, m_pts / 2595.0) - 1.0);  // [n_mels + 2]
  auto f_diff = f_pts.slice(0, 1) - f_pts.slice(0, 0, -1);     // [n_mels + 1]
  auto slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1);   // [n_freqs, n_mels + 2]
  auto down = -slopes.slice(1, 0, -2) / f_diff.slice(0, 0, -1);
  auto up = slopes.slice(1, 2) / f_diff.slice(0, 1);
  return at::clamp_min(at::minimum(down, up), 0.0).to(at::kFloat);
}

}  // namespace speechleak::encoder
