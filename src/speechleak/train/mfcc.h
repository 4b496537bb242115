#pragma once
// MFCC (+ deltas) at the model's frame rate: the features HuBERT's first-iteration k-means targets are fit on.
//
// Definition (matches torchaudio.transforms.MFCC with log_mels=True, center=False, mel_scale="htk", norm=None,
// dct norm "ortho", and torchaudio.functional.compute_deltas with mode "replicate"):
//   power spectrum |STFT|^2 (periodic Hann window of n_fft samples, hop `hop`, no centring)
//   -> HTK mel filterbank (triangles, unnormalised) -> log(mel + 1e-6) -> DCT-II (orthonormal), first n_mfcc
//   -> optionally first and second deltas.
// Without centring, frame t covers samples [hop*t, hop*t + n_fft): with n_fft 400 and hop 320 these are exactly the
// receptive fields of the standard conv extractor's frames, so target t labels model frame t.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "speechleak/encoder/mel_filterbank.h"
#include "speechleak/train/hubert_config.h"

namespace speechleak::train {

class Mfcc {
 public:
  explicit Mfcc(const MfccConfig& config);  // validates

  // waveform [S] float32 -> [frames, dims] float32; frames = frames_for(S) (0 rows when S < n_fft).
  at::Tensor operator()(const at::Tensor& waveform) const;
  // [frames, n_mels] log mel energies (the step before the DCT), for inspection and tests.
  at::Tensor log_mel(const at::Tensor& waveform) const;
  int64_t frames_for(int64_t samples) const;

  const at::Tensor& filterbank() const { return filterbank_; }  // [n_fft/2+1, n_mels]
  const at::Tensor& dct() const { return dct_; }                // [n_mels, n_mfcc]
  // Centre frequency (Hz) of mel band m (the peak of its triangle).
  double band_centre_hz(int m) const;
  const MfccConfig& config() const { return config_; }

 private:
  MfccConfig config_;
  at::Tensor window_, filterbank_, dct_;
};

// HTK mel scale (encoder/mel_filterbank.h).
using encoder::hz_to_mel;
using encoder::mel_to_hz;

// torchaudio.functional.compute_deltas: x [dims, frames] -> [dims, frames], replicate padding.
at::Tensor compute_deltas(const at::Tensor& x, int window);

}  // namespace speechleak::train
