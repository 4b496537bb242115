#pragma once
// Architecture of a wav2vec 2.0-family model, with Hugging Face field names (config.json of Wav2Vec2Config,
// HubertConfig and WavLMConfig), and of a TERA model (model_type "tera": log-mel input instead of the convolutional
// extractor, sinusoidal positions instead of the positional convolution; docs/encoder.md). Torch-free: the loader, the
// `model info` command and the module constructors share it.
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace speechleak::encoder {

enum class ExtractorNorm {
  Group,  // "group": GroupNorm with one group per channel on conv layer 0 only (base models)
  Layer   // "layer": LayerNorm over channels after every conv layer (large models)
};

enum class Activation {
  Gelu,      // "gelu": exact erf form (HF ACT2FN["gelu"])
  GeluTanh,  // "gelu_new" / "gelu_pytorch_tanh"
  Relu,      // "relu"
  Silu       // "silu" / "swish"
};

Activation parse_activation(const std::string& name);  // throws InvalidArgument
std::string to_string(Activation a);
std::string to_string(ExtractorNorm n);

// TERA's input features (s3prl's OnlinePreprocessor, feat_type mel): each utterance scaled to target_level_db RMS,
// |STFT|^2 (periodic Hann window of win_length, centred frames with reflect padding, hop_length), an HTK mel
// filterbank without normalisation (torchaudio MelScale), log(mel + log_offset), then per-utterance mean and
// (unbiased) standard deviation normalisation over time, (x - mean) / (std + log_offset). config.json field "mel":
// every field is required, so that a model never runs on features it was not trained on.
struct MelFrontEndConfig {
  int sample_rate = 16000;
  int n_fft = 400;
  int win_length = 400;
  int hop_length = 160;
  int n_mels = 80;
  double f_min = 0;
  double f_max = 8000;
  double log_offset = 1e-10;
  bool cmvn = true;
  std::optional<double> target_level_db = -25.0;  // nullopt (JSON null): no level normalisation

  void validate() const;  // throws InvalidArgument naming "mel.<field>"
  std::string to_string() const;
  nlohmann::json to_json() const;
  // Reads every field of config.json's "mel" object; a missing one is a FormatError naming "mel.<field>".
  static MelFrontEndConfig from_json(const nlohmann::json& j, const std::string& source);
};

struct Wav2Vec2Config {
  std::string model_type = "wav2vec2";  // "wav2vec2" | "hubert" | "wavlm" | "tera"
  int hidden_size = 768;
  int num_hidden_layers = 12;
  int num_attention_heads = 12;
  int intermediate_size = 3072;
  Activation hidden_act = Activation::Gelu;
  double layer_norm_eps = 1e-5;
  ExtractorNorm feat_extract_norm = ExtractorNorm::Group;
  Activation feat_extract_activation = Activation::Gelu;
  std::vector<int> conv_dim = {512, 512, 512, 512, 512, 512, 512};
  std::vector<int> conv_kernel = {10, 3, 3, 3, 3, 2, 2};
  std::vector<int> conv_stride = {5, 2, 2, 2, 2, 2, 2};
  bool conv_bias = false;
  int num_conv_pos_embeddings = 128;
  int num_conv_pos_embedding_groups = 16;
  bool do_stable_layer_norm = false;  // pre-norm layers, encoder.layer_norm after the stack
  bool feat_proj_layer_norm = true;   // HuBERT only; wav2vec2 and WavLM always have feature_projection.layer_norm
  // WavLM only: the gated relative position bias (HF WavLMAttention): signed frame distances in num_buckets
  // buckets, exact up to num_buckets / 4, logarithmic up to max_bucket_distance.
  int num_buckets = 320;
  int max_bucket_distance = 800;
  // TERA only: the log-mel front end (the conv_* and *pos* fields above do not apply).
  MelFrontEndConfig mel;

  // Throws InvalidArgument naming the field, the expected and the actual value.
  void validate() const;
  // One line, fields in a fixed order (part of an encoder's fingerprint).
  std::string to_string() const;

  // Product of the conv strides (320 for the standard extractor); TERA: the mel hop (160).
  int samples_per_frame() const;
  // Samples seen by one output frame of the conv extractor (400 for the standard extractor); TERA: the STFT window
  // (its frames are centred: frame t covers [t * hop - n_fft / 2, t * hop + n_fft / 2)).
  int receptive_field() const;
  // Frames for `samples` input samples (0 when shorter than the receptive field); TERA: samples / hop + 1.
  int64_t frames_for(int64_t samples) const;
  bool is_tera() const { return model_type == "tera"; }
  // wav2vec2 and WavLM always have feature_projection.layer_norm; HuBERT only with feat_proj_layer_norm; TERA never.
  bool has_feat_proj_layer_norm() const { return !is_tera() && (feat_proj_layer_norm || model_type != "hubert"); }
  bool has_relative_position_bias() const { return model_type == "wavlm"; }
  int conv_out_channels() const { return conv_dim.empty() ? 0 : conv_dim.back(); }
  // Width of the features the projection takes: the conv extractor's channels, or TERA's mel bands.
  int feature_channels() const { return is_tera() ? mel.n_mels : conv_out_channels(); }
  int64_t parameter_count() const;

  // HF config.json fields (the ones above plus architectures; dropouts fixed at HF defaults).
  nlohmann::json to_json() const;
  // Reads the fields above from a parsed config.json; `source` names the file in errors. Other model types
  // (data2vec-audio, ...) are refused by name. TERA reads hidden sizes, hidden_act, layer_norm_eps and "mel".
  static Wav2Vec2Config from_json(const nlohmann::json& j, const std::string& source);
};

Wav2Vec2Config read_hf_config(const std::filesystem::path& config_json);

// preprocessor_config.json do_normalize, false when the file is absent (HF's default for base models).
bool read_do_normalize(const std::filesystem::path& model_dir);

}  // namespace speechleak::encoder
