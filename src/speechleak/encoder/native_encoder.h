#pragma once
// Encoder over the native libtorch wav2vec 2.0 / HuBERT modules, loaded from a Hugging Face directory.
#include <filesystem>

#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/wav2vec2_model.h"

namespace speechleak::encoder {

class NativeEncoder final : public Encoder {
 public:
  // Loads `dir` (see hf_loader.h) onto options.device.
  NativeEncoder(const std::filesystem::path& dir, const EncoderOptions& options);
  // Wraps a model built in memory (e.g. one being trained: prepare_inference() puts it in eval mode).
  NativeEncoder(Wav2Vec2Model model, const EncoderOptions& options, bool do_normalize,
                std::filesystem::path source = {}, LoadReport report = {});

  const EncoderMetadata& metadata() const override { return meta_; }
  Wav2Vec2Model& model() { return model_; }
  const LoadReport& load_report() const { return report_; }

 protected:
  EncoderOutput run(const at::Tensor& waveforms, const at::Tensor& lengths, const StateSet& states) override;

 private:
  void init(const EncoderOptions& options, bool do_normalize, std::filesystem::path source);

  Wav2Vec2Model model_{nullptr};
  LoadReport report_;
  EncoderMetadata meta_;
  c10::Device device_{c10::kCPU};
  bool split_blas_threads_ = true;
};

}  // namespace speechleak::encoder
