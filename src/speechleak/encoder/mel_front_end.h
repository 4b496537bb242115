#pragma once
// TERA's front end (MelFrontEndConfig in hf_config.h): waveforms in, per-utterance normalised log-mel frames out,
// in the shape of the convolutional extractor's output (ExtractedFeatures), so that the rest of the model is shared.
// Each utterance is computed on its own samples only (its own level, its own reflect padding, its own statistics),
// so a padded batch gives exactly what each utterance gives alone. No parameters: the window and the filterbank are
// buffers, rebuilt from the config.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "speechleak/encoder/feature_extractor.h"
#include "speechleak/encoder/hf_config.h"

namespace speechleak::encoder {

class MelFrontEndImpl : public torch::nn::Module {
 public:
  explicit MelFrontEndImpl(const MelFrontEndConfig& config);  // validates

  // waveforms [B, T] float32, lengths [B] int64 valid samples (undefined = all T), each at least n_fft.
  // Returns features [B, T'max, n_mels] (frames past an utterance's count are zero) and frames per utterance.
  ExtractedFeatures forward(const at::Tensor& waveforms, const at::Tensor& lengths = {});
  // One utterance [S] -> [S / hop + 1, n_mels].
  at::Tensor utterance(const at::Tensor& samples) const;
  const MelFrontEndConfig& config() const { return config_; }

 private:
  MelFrontEndConfig config_;
  at::Tensor window_, filterbank_;
};
TORCH_MODULE(MelFrontEnd);

}  // namespace speechleak::encoder
