#include "speechleak/encoder/mel_front_end.h"

#include <cmath>
#include <string>

#include "speechleak/encoder/mel_filterbank.h"
#include "speechleak/util/error.h"

namespace speechleak::encoder {

MelFrontEndImpl::MelFrontEndImpl(const MelFrontEndConfig& config) : config_(config) {
  config_.validate();
  window_ = register_buffer("window", at::hann_window(config_.win_length, at::TensorOptions().dtype(at::kFloat)));
  filterbank_ = register_buffer("filterbank", mel_filterbank(config_.n_fft, config_.n_mels, config_.sample_rate,
                                                             config_.f_min, config_.f_max));
}

at::Tensor MelFrontEndImpl::utterance(const at::Tensor& samples) const {
  const auto& c = config_;
  if (samples.dim() != 1 || samples.size(0) < c.n_fft)
    throw invalid_argument("waveform", "a 1-D tensor of at least n_fft (" + std::to_string(c.n_fft) + ") samples",
                           samples.dim() == 1 ? std::to_string(samples.size(0)) + " samples"
                                              : std::to_string(samples.dim()) + "-D");
  auto x = samples.to(at::kFloat);
  if (c.target_level_db) {
    // s3prl's _normalize_wav_decibel: the utterance scaled to the target RMS level.
    auto rms = x.pow(2).mean().sqrt();
    x = x * (std::pow(10.0, *c.target_level_db / 20.0) / (rms + 1e-10));
  }
  // torch.stft(center=True, pad_mode="reflect"): n_fft / 2 reflected samples at each end.
  const int64_t pad = c.n_fft / 2;
  x = at::reflection_pad1d(x.view({1, 1, -1}), {pad, pad}).view({-1});
  auto spec = at::stft(x, c.n_fft, c.hop_length, c.win_length, window_, /*normalized=*/false, /*onesided=*/true,
                       /*return_complex=*/true);  // [F, frames]
  auto mel = at::matmul(at::abs(spec).pow(2).t(), filterbank_);  // [frames, n_mels]
  mel = at::log(mel + c.log_offset);
  if (c.cmvn) {
    auto mean = mel.mean(0, /*keepdim=*/true);
    // torch's std is unbiased: undefined for one frame, where the centred frame is zero anyway.
    auto std = mel.size(0) > 1 ? mel.std(0, /*unbiased=*/true, /*keepdim=*/true) : at::zeros_like(mean);
    mel = (mel - mean) / (std + c.log_offset);
  }
  return mel.contiguous();
}

ExtractedFeatures MelFrontEndImpl::forward(const at::Tensor& waveforms, const at::Tensor& lengths) {
  const int64_t b = waveforms.size(0), t = waveforms.size(1);
  auto lens = lengths.defined() ? lengths.to(at::kLong).cpu() : at::full({b}, t, at::TensorOptions().dtype(at::kLong));
  std::vector<at::Tensor> utterances;
  int64_t frames_max = 0;
  auto frames = at::empty({b}, at::TensorOptions().dtype(at::kLong));
  for (int64_t i = 0; i < b; ++i) {
    utterances.push_back(utterance(waveforms[i].narrow(0, 0, lens[i].item<int64_t>())));
    frames[i] = utterances.back().size(0);
    frames_max = std::max(frames_max, utterances.back().size(0));
  }
  auto out = at::zeros({b, frames_max, config_.n_mels}, waveforms.options().dtype(at::kFloat));
  for (int64_t i = 0; i < b; ++i) out[i].narrow(0, 0, utterances[i].size(0)).copy_(utterances[i]);
  return {out, frames};
}

}  // namespace speechleak::encoder
