#include "speechleak/train/mfcc.h"

#include <ATen/ATen.h>

#include <cmath>

#include "speechleak/encoder/mel_filterbank.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

namespace {

// torchaudio.functional.create_dct(n_mfcc, n_mels, norm="ortho"): [n_mels, n_mfcc].
at::Tensor dct_matrix(int n_mfcc, int n_mels) {
  auto opts = at::TensorOptions().dtype(at::kDouble);
  auto n = at::arange(n_mels, opts);
  auto k = at::arange(n_mfcc, opts).unsqueeze(1);
  auto dct = at::cos(M_PI / n_mels * (n + 0.5) * k);  // [n_mfcc, n_mels]
  dct.select(0, 0).mul_(1.0 / std::sqrt(2.0));
  dct.mul_(std::sqrt(2.0 / n_mels));
  return dct.t().contiguous().to(at::kFloat);
}

}  // namespace

at::Tensor compute_deltas(const at::Tensor& x, int window) {
  // d_t = sum_{n=1..N} n (x_{t+n} - x_{t-n}) / (2 sum n^2), edges replicated.
  const int64_t n = (window - 1) / 2;
  const double denom = static_cast<double>(n * (n + 1) * (2 * n + 1)) / 3.0;
  const int64_t frames = x.size(1);
  auto out = at::zeros_like(x);
  if (frames == 0) return out;
  for (int64_t k = 1; k <= n; ++k) {
    auto idx_plus = at::clamp(at::arange(frames) + k, 0, frames - 1);
    auto idx_minus = at::clamp(at::arange(frames) - k, 0, frames - 1);
    out += static_cast<double>(k) * (x.index_select(1, idx_plus) - x.index_select(1, idx_minus));
  }
  return out / denom;
}

Mfcc::Mfcc(const MfccConfig& config) : config_(config) {
  config_.validate();
  window_ = at::hann_window(config_.n_fft, at::TensorOptions().dtype(at::kFloat));  // periodic, as torch's default
  filterbank_ =
      encoder::mel_filterbank(config_.n_fft, config_.n_mels, config_.sample_rate, config_.f_min, config_.f_max);
  dct_ = dct_matrix(config_.n_mfcc, config_.n_mels);
}

int64_t Mfcc::frames_for(int64_t samples) const {
  return samples < config_.n_fft ? 0 : (samples - config_.n_fft) / config_.hop + 1;
}

double Mfcc::band_centre_hz(int m) const {
  const double lo = hz_to_mel(config_.f_min), hi = hz_to_mel(config_.f_max);
  return mel_to_hz(lo + (hi - lo) * (m + 1) / (config_.n_mels + 1));
}

at::Tensor Mfcc::log_mel(const at::Tensor& waveform) const {
  if (waveform.dim() != 1) throw invalid_argument("waveform", "a 1-D tensor [S]", std::to_string(waveform.dim()) + "-D");
  const int64_t frames = frames_for(waveform.size(0));
  if (frames == 0) return at::zeros({0, config_.n_mels}, at::kFloat);
  auto spec = at::stft(waveform.to(at::kFloat).contiguous(), config_.n_fft, config_.hop, config_.n_fft, window_,
                       /*normalized=*/false, /*onesided=*/true, /*return_complex=*/true);  // [F, frames]
  auto power = at::abs(spec).pow(2);  // |X|^2, as torchaudio's Spectrogram(power=2)
  auto mel = at::matmul(power.t(), filterbank_);                // [frames, n_mels]
  return at::log(mel + 1e-6);
}

at::Tensor Mfcc::operator()(const at::Tensor& waveform) const {
  auto mfcc = at::matmul(log_mel(waveform), dct_);  // [frames, n_mfcc]
  if (!config_.deltas) return mfcc.contiguous();
  auto c = mfcc.t();  // [n_mfcc, frames]
  auto d1 = compute_deltas(c, config_.delta_window);
  auto d2 = compute_deltas(d1, config_.delta_window);
  return at::cat({c, d1, d2}, 0).t().contiguous();  // [frames, 3 n_mfcc]
}

}  // namespace speechleak::train
