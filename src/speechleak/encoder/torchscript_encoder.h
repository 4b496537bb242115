#pragma once
// Encoders from TorchScript files exported in Python; no Python at run time.
//
// Accepted modules (detected in this order):
//  1. A scripted torchaudio Wav2Vec2Model (torch.jit.script(torchaudio.models.hubert_base(...)) and friends):
//     recognised by its extract_features method and its feature_extractor / encoder.transformer submodules.
//     speechleak runs those submodules itself and returns all L+1 states in the HF convention (state 0 =
//     transformer._preprocess output; state L = after the final layer norm for stable-layer-norm models), which
//     torchaudio's own extract_features cannot give (it returns the L layer outputs only, and for
//     stable-layer-norm models its last entry lacks the final layer norm).
//  2. Any module with extract_features(waveforms, lengths) -> (List[Tensor], Tensor?) but without those
//     submodules: states 1..L only, state l = extract_features()[l-1] exactly as the module returns it; state 0 is
//     unavailable (requesting it is an InvalidArgument).
//  3. The documented speechleak signature:
//        forward(waveforms: Tensor [B, T] float32, lengths: Tensor [B] int64)
//            -> Tuple[List[Tensor], Tensor]   (L+1 states, each [B, T', D]; frame lengths [B])
//            or Tuple[Tensor, Tensor]         (states stacked [L+1, B, T', D]; frame lengths [B])
//     The states must follow the HF / s3prl convention (see encoder.h).
// Every kind runs one utterance at a time unless EncoderOptions::torchscript_batching is set.
// Frame rate: probed at load with two inputs (320 samples per frame and a 400-sample receptive field when the
// frame counts agree with the standard extractor, else an estimate).
// Debian's libtorch 1.13.1 aborts inside the profiling graph executor on scripted torchaudio models; loading
// calls torch::jit::setGraphExecutorOptimize(false) (process-wide; same speed, see docs/encoder.md).
#include <filesystem>
#include <memory>

#include "speechleak/encoder/encoder.h"

namespace speechleak::encoder {

class TorchScriptEncoder final : public Encoder {
 public:
  TorchScriptEncoder(const std::filesystem::path& file, const EncoderOptions& options);
  ~TorchScriptEncoder() override;

  const EncoderMetadata& metadata() const override { return meta_; }

 protected:
  EncoderOutput run(const at::Tensor& waveforms, const at::Tensor& lengths, const StateSet& states) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  EncoderMetadata meta_;
};

}  // namespace speechleak::encoder
