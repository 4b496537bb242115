#pragma once
// Speech encoders: a batch of 16 kHz mono waveforms in, hidden states out.
//
// Hidden states follow the s3prl / Hugging Face convention: L+1 states for an L-layer transformer; state 0 is the
// input of the first transformer layer (after the positional convolution was added and, for post-norm "base"
// models, after encoder.layer_norm), state l the output of layer l, state L the final output (after the final
// encoder.layer_norm for stable-layer-norm "large" models). The caller names the states it needs; layers above the
// highest one are not run.
//
// Kinds (load_encoder detects them):
//  - HF directory (config.json + model.safetensors), model_type wav2vec2 or hubert: native libtorch modules
//    (wav2vec2_model.h). Padded batches are exact for every model, group-norm ones included (see
//    docs/encoder.md: the first conv layer's GroupNorm uses each utterance's own frames).
//  - TorchScript (.pt/.ts/.torchscript, or a zip holding constants.pkl): see torchscript_encoder.h for the module
//    signatures accepted.
// Keeps <torch/...> out: only at::Tensor is needed here.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "speechleak/audio/normalize.h"

namespace speechleak::encoder {

struct EncoderOptions {
  std::string device = "cpu";      // "cpu" | "cuda" | "cuda:N"; cuda throws when libtorch has no usable CUDA
  std::string precision = "fp32";  // "fp32" | "bf16": matmuls and convolutions in bfloat16 (native models only)
  // Input normalisation applied to each utterance before the model. nullopt = what the checkpoint asks for
  // (HF: preprocessor_config.json do_normalize -> zero-mean-unit-var, else none; TorchScript: none).
  std::optional<audio::Normalization> normalization;
  // TorchScript modules run one utterance at a time unless this is true: speechleak cannot know whether a scripted
  // module is padding-invariant (group-norm models are not).
  bool torchscript_batching = false;
  // Native models on the CPU: run the transformer with one ATen (OpenMP) thread when the BLAS has its own thread
  // pool, so that the two pools do not spin against each other (blas_threads.h; docs/performance.md). The matrix
  // products still use every BLAS thread. Results agree to float rounding either way.
  bool split_blas_threads = true;

  void validate() const;  // throws InvalidArgument
  std::string to_string() const;
};

struct EncoderMetadata {
  std::string family;        // "wav2vec2" | "hubert" | "torchscript"
  std::string kind;          // "hf-native" | "torchscript-states" | "torchscript-torchaudio"
  std::filesystem::path source;
  int layers = 0;            // L: states 0..L
  int width = 0;             // D
  int sample_rate = 16000;
  int samples_per_frame = 320;
  int receptive_field = 400;
  audio::Normalization normalization = audio::Normalization::None;  // applied by encode()
  bool padding_invariant = true;          // a batch gives the same states as one utterance at a time
  std::vector<int> available_states;      // states encode() can return, ascending
  int64_t parameters = 0;
  std::vector<std::string> ignored_keys;  // checkpoint tensors that are not part of the encoder
  std::string architecture;               // config summary (HF) or module description (TorchScript)
  std::string weights_dtype;              // dtype stored in the checkpoint ("F32", "F16", ...)
  std::string device = "cpu";
  std::string precision = "fp32";

  double frame_rate() const { return static_cast<double>(sample_rate) / samples_per_frame; }
  // One line, fixed field order, no path: identical for identical architecture, options and preprocessing.
  std::string description() const;
};

// Hidden states of one batch. Tensors are float32 on the CPU, contiguous, [B, T'max, D]; frames past an
// utterance's own count are zero.
class EncoderOutput {
 public:
  EncoderOutput() = default;
  EncoderOutput(std::map<int, at::Tensor> states, std::vector<int64_t> frames);

  std::vector<int> states() const;  // the state numbers held, ascending
  bool has(int state) const { return states_.count(state) > 0; }
  // Throws InvalidArgument when `state` was not requested.
  const at::Tensor& state(int state) const;
  // [frames[b], D], a view into state(state).
  at::Tensor utterance(int state, int64_t b) const;
  const std::vector<int64_t>& frames() const { return frames_; }
  int64_t batch_size() const { return static_cast<int64_t>(frames_.size()); }

 private:
  std::map<int, at::Tensor> states_;
  std::vector<int64_t> frames_;
};

// The state numbers to compute; empty = every available state.
using StateSet = std::set<int>;

class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual const EncoderMetadata& metadata() const = 0;

  // waveforms [B, T] float32 (any device), lengths [B] int64 valid samples, each in [receptive_field, T].
  // Throws InvalidArgument naming the bad shape, length or state.
  EncoderOutput encode(const at::Tensor& waveforms, const at::Tensor& lengths, const StateSet& states = {});
  // Pads the utterances (each at least receptive_field samples) into one batch.
  EncoderOutput encode(const std::vector<std::span<const float>>& utterances, const StateSet& states = {});

 protected:
  // waveforms [B, T] float32 CPU, already normalised with zero padding; lengths [B] int64 CPU; states validated
  // and non-empty. Returns states [B, T', D] (any device, padded frames arbitrary) and frames per utterance.
  virtual EncoderOutput run(const at::Tensor& waveforms, const at::Tensor& lengths, const StateSet& states) = 0;
};

enum class CheckpointKind { HfDirectory, TorchScript };

// HF directory: a directory with config.json. TorchScript: a file named *.pt, *.ts, *.torchscript, or any zip
// archive holding a constants.pkl entry. A directory with only pytorch_model.bin is refused with the conversion
// command. Throws FileError / FormatError naming the path.
CheckpointKind detect_checkpoint_kind(const std::filesystem::path& path);

std::unique_ptr<Encoder> load_encoder(const std::filesystem::path& path, const EncoderOptions& options = {});

}  // namespace speechleak::encoder
