#pragma once
// The HTK mel scale and torchaudio's triangular mel filterbank, shared by HuBERT's MFCC targets (train/mfcc.h) and
// TERA's log-mel front end (mel_front_end.h).
#include <ATen/core/Tensor.h>

namespace speechleak::encoder {

double hz_to_mel(double hz);   // HTK: 2595 log10(1 + hz / 700)
double mel_to_hz(double mel);

// torchaudio.functional.melscale_fbanks(n_fft / 2 + 1, f_min, f_max, n_mels, sample_rate, norm=None,
// mel_scale="htk"): [n_fft / 2 + 1, n_mels] float32, unnormalised triangles.
at::Tensor mel_filterbank(int n_fft, int n_mels, int sample_rate, double f_min, double f_max);

}  // namespace speechleak::encoder
