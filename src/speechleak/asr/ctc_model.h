#pragma once
// A CTC recogniser: the encoder room's Wav2Vec2Model + dropout + a linear head over a character vocabulary, as
// Hugging Face's Wav2Vec2ForCTC / HubertForCTC. Its directory is HF's own layout, so models speechleak fine-tunes
// and downloaded ones (facebook/wav2vec2-base-960h, facebook/hubert-large-ls960-ft) take the same path:
//
//   config.json                 the encoder's config + architectures [Wav2Vec2ForCTC | HubertForCTC], vocab_size,
//                               pad_token_id (the CTC blank), ctc_loss_reduction, ctc_zero_infinity, final_dropout
//   model.safetensors           the encoder under "wav2vec2." / "hubert.", lm_head.weight [V, D], lm_head.bias [V]
//   preprocessor_config.json    do_normalize, 16 kHz
//   vocab.json, tokenizer_config.json, special_tokens_map.json   the tokenizer (vocabulary.h)
//
// The same directory still loads as a plain encoder (load_encoder ignores and lists lm_head.*).
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "speechleak/asr/vocabulary.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/wav2vec2_model.h"

namespace speechleak::asr {

struct CtcOutput {
  at::Tensor logits;         // [B, T', V] float32
  at::Tensor frame_lengths;  // [B] int64 valid frames
};

class CtcModelImpl : public torch::nn::Module {
 public:
  // `encoder` with `head` (Linear(D, V)), or a fresh head (torch's default Linear initialisation, from torch's
  // generator) when none is given. Modules are shared, not copied: a CtcModel over a trainer's encoder and the
  // CTC objective's head evaluates the model being trained.
  CtcModelImpl(encoder::Wav2Vec2Model encoder, Vocabulary vocabulary, double final_dropout = 0.1,
               torch::nn::Linear head = nullptr);

  // waveforms [B, S] float32 (normalised as the model expects), lengths [B] int64 valid samples (or undefined).
  // Dropout applies in training mode only.
  CtcOutput forward(const at::Tensor& waveforms, const at::Tensor& lengths = {});
  // The same with time masking: frame_mask [B, T'] bool, true where the projected features are replaced by the
  // encoder's learned mask embedding (what pretraining and fine-tuning fill in; the noise-masking attack's upper
  // bound). Requires lengths.
  CtcOutput forward_masked(const at::Tensor& waveforms, const at::Tensor& lengths, const at::Tensor& frame_mask);
  // The head on given hidden states [B, T', D] (the training objective runs the encoder with masking itself).
  at::Tensor head(const at::Tensor& hidden);

  const Vocabulary& vocabulary() const { return vocabulary_; }
  double final_dropout() const { return final_dropout_; }

  encoder::Wav2Vec2Model encoder{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear lm_head{nullptr};

 private:
  Vocabulary vocabulary_;
  double final_dropout_;
};
TORCH_MODULE(CtcModel);

// config.json's architectures names a *ForCTC class.
bool is_ctc_directory(const std::filesystem::path& dir);

// What a CTC directory says about its head, checked without reading any weights.
struct CtcDirectory {
  std::string architecture;  // "Wav2Vec2ForCTC", "HubertForCTC", ...
  Vocabulary vocabulary;
  int64_t hidden_size = 0;   // the head's input width
  double final_dropout = 0.1;
};
// Throws FormatError / FileError naming the file for: no *ForCTC architecture, a vocab.json that does not match
// vocab_size or pad_token_id, a missing lm_head tensor or one of the wrong shape (read from the safetensors header).
CtcDirectory read_ctc_directory(const std::filesystem::path& dir);

struct LoadedCtcModel {
  CtcModel model{nullptr};
  bool do_normalize = false;
  encoder::LoadReport report;  // of the encoder's tensors (lm_head.* among the ignored ones)
};

// read_ctc_directory's checks, then the encoder (load_hf_directory) and the head's weights.
LoadedCtcModel load_ctc_directory(const std::filesystem::path& dir);
void save_ctc_directory(CtcModel& model, const std::filesystem::path& dir, bool do_normalize);

}  // namespace speechleak::asr
