#pragma once
// Architecture of a wav2vec 2.0-family model, with Hugging Face field names (config.json of Wav2Vec2Config,
// HubertConfig and WavLMConfig). Torch-free: the loader, the `model info` command and the module constructors share it.
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
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

struct Wav2Vec2Config {
  std::string model_type = "wav2vec2";  // "wav2vec2" | "hubert" | "wavlm"
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

  // Throws InvalidArgument naming the field, the expected and the actual value.
  void validate() const;
  // One line, fields in a fixed order (part of an encoder's fingerprint).
  std::string to_string() const;

  // Product of the conv strides (320 for the standard extractor).
  int samples_per_frame() const;
  // Samples seen by one output frame of the conv extractor (400 for the standard extractor).
  int receptive_field() const;
  // Frames of the conv extractor for `samples` input samples (0 when shorter than the receptive field).
  int64_t frames_for(int64_t samples) const;
  // wav2vec2 and WavLM always have feature_projection.layer_norm; HuBERT only with feat_proj_layer_norm.
  bool has_feat_proj_layer_norm() const { return feat_proj_layer_norm || model_type != "hubert"; }
  bool has_relative_position_bias() const { return model_type == "wavlm"; }
  int conv_out_channels() const { return conv_dim.empty() ? 0 : conv_dim.back(); }
  int64_t parameter_count() const;

  // HF config.json fields (the ones above plus architectures; dropouts fixed at HF defaults).
  nlohmann::json to_json() const;
  // Reads the fields above from a parsed config.json; `source` names the file in errors. Other model types
  // (data2vec-audio, ...) are refused by name.
  static Wav2Vec2Config from_json(const nlohmann::json& j, const std::string& source);
};

Wav2Vec2Config read_hf_config(const std::filesystem::path& config_json);

// preprocessor_config.json do_normalize, false when the file is absent (HF's default for base models).
bool read_do_normalize(const std::filesystem::path& model_dir);

}  // namespace speechleak::encoder
