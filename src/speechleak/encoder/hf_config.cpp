#include "speechleak/encoder/hf_config.h"

#include <limits>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"
#include "speechleak/util/number_format.h"

namespace speechleak::encoder {
namespace {

std::string join_ints(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  s += ']';
  return s;
}

void require_positive(const std::string& field, long long v) { require_at_least(field, v, 1); }

constexpr const char* kMelWhy =
    " (a TERA model's config.json states all of its log-mel settings: sample_rate, n_fft, win_length, hop_length, "
    "n_mels, f_min, f_max, log_offset, cmvn, target_level_db; see docs/encoder.md)";

[[noreturn]] void wrong_type(const nlohmann::json& v, const char* key, const std::string& expected,
                             const std::string& source) {
  throw FormatError(source, std::string("field '") + key + "' has an unexpected type: " + v.dump() + " (expected " +
                                expected + ")");
}

template <typename T>
constexpr const char* json_kind() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (std::is_same_v<T, std::string>) return "a string";
  return "a number";
}

// One value of a field; integers must be JSON integers that fit (json_number.h says why).
template <typename T>
T field_value(const nlohmann::json& v, const char* key, const std::string& source) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    const auto n = json_integer<T>(v);
    if (!n)
      wrong_type(v, key, "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
                             std::to_string(std::numeric_limits<T>::max()), source);
    return *n;
  } else {
    try {
      return v.get<T>();
    } catch (const nlohmann::json::exception&) {
      wrong_type(v, key, json_kind<T>(), source);
    }
  }
}

// Reads `key` into `out` when present; a present value of the wrong type is an error naming the file.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out, const std::string& source) {
  if (!j.contains(key) || j[key].is_null()) return;
  out = field_value<T>(j[key], key, source);
}

// A mel field that must be present (it may be null): `what` names it, and the error lists the mel settings.
const nlohmann::json& required(const nlohmann::json& j, const char* key, const std::string& what,
                               const std::string& source) {
  if (!j.contains(key)) throw FormatError(source, "field '" + what + "' is missing" + kMelWhy);
  return j[key];
}

// Like read_field, but the field must be present and not null.
template <typename T>
void read_required(const nlohmann::json& j, const char* key, T& out, const std::string& what,
                   const std::string& source) {
  const auto& v = required(j, key, what, source);
  if (v.is_null()) throw FormatError(source, "field '" + what + "' is null (expected a value)");
  out = field_value<T>(v, what.c_str(), source);
}

template <typename T>
void read_field(const nlohmann::json& j, const char* key, std::vector<T>& out, const std::string& source) {
  if (!j.contains(key) || j[key].is_null()) return;
  if (!j[key].is_array()) wrong_type(j[key], key, "a list", source);
  out.clear();
  for (const auto& v : j[key]) out.push_back(field_value<T>(v, key, source));
}

// parse_activation with the error naming the file.
Activation activation_field(const std::string& name, const std::string& source) {
  try {
    return parse_activation(name);
  } catch (const InvalidArgument& e) {
    throw FormatError(source, e.what());
  }
}

Wav2Vec2Config validated(const Wav2Vec2Config& c, const std::string& source) {
  try {
    c.validate();
  } catch (const InvalidArgument& e) {
    throw FormatError(source, e.what());
  }
  return c;
}

}  // namespace

Activation parse_activation(const std::string& name) {
  if (name == "gelu") return Activation::Gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::GeluTanh;
  if (name == "relu") return Activation::Relu;
  if (name == "silu" || name == "swish") return Activation::Silu;
  throw invalid_argument("activation", "gelu, gelu_new, gelu_pytorch_tanh, relu, silu or swish", "'" + name + "'");
}

std::string to_string(Activation a) {
  switch (a) {
    case Activation::Gelu: return "gelu";
    case Activation::GeluTanh: return "gelu_new";
    case Activation::Relu: return "relu";
    case Activation::Silu: return "silu";
  }
  return "?";
}

std::string to_string(ExtractorNorm n) { return n == ExtractorNorm::Group ? "group" : "layer"; }

void MelFrontEndConfig::validate() const {
  if (sample_rate != 16000) throw invalid_argument("mel.sample_rate", "16000 (encoders take 16 kHz audio)",
                                                   std::to_string(sample_rate));
  require_at_least("mel.n_fft", n_fft, 2);
  require_at_least("mel.win_length", win_length, 1);
  if (win_length > n_fft)
    throw invalid_argument("mel.win_length", "at most n_fft (" + std::to_string(n_fft) + ")",
                           std::to_string(win_length));
  require_at_least("mel.hop_length", hop_length, 1);
  require_at_least("mel.n_mels", n_mels, 1);
  speechleak::require_range("mel.f_min", f_min, 0, sample_rate / 2.0);
  speechleak::require_range("mel.f_max", f_max, f_min, sample_rate / 2.0);
  if (!(f_max > f_min))
    throw invalid_argument("mel.f_max", "above f_min (" + text::general(f_min) + ")", text::general(f_max));
  speechleak::require_positive("mel.log_offset", log_offset);
  if (target_level_db) speechleak::require_range("mel.target_level_db", *target_level_db, -100, 0);
}

std::string MelFrontEndConfig::to_string() const {
  auto n = [](auto v) { return std::to_string(v); };
  return "mel.sample_rate=" + n(sample_rate) + " mel.n_fft=" + n(n_fft) + " mel.win_length=" + n(win_length) +
         " mel.hop_length=" + n(hop_length) + " mel.n_mels=" + n(n_mels) + " mel.f_min=" + text::general(f_min) +
         " mel.f_max=" + text::general(f_max) + " mel.log_offset=" + text::general(log_offset) +
         " mel.cmvn=" + n(int(cmvn)) +
         " mel.target_level_db=" + (target_level_db ? text::general(*target_level_db) : std::string("none"));
}

nlohmann::json MelFrontEndConfig::to_json() const {
  return {{"sample_rate", sample_rate}, {"n_fft", n_fft},   {"win_length", win_length},
          {"hop_length", hop_length},   {"n_mels", n_mels}, {"f_min", f_min},
          {"f_max", f_max},             {"log_offset", log_offset}, {"cmvn", cmvn},
          {"target_level_db", target_level_db ? nlohmann::json(*target_level_db) : nlohmann::json(nullptr)}};
}

MelFrontEndConfig MelFrontEndConfig::from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw FormatError(source, "field 'mel' must be an object" + std::string(kMelWhy));
  MelFrontEndConfig c;
  read_required(j, "sample_rate", c.sample_rate, "mel.sample_rate", source);
  read_required(j, "n_fft", c.n_fft, "mel.n_fft", source);
  read_required(j, "win_length", c.win_length, "mel.win_length", source);
  read_required(j, "hop_length", c.hop_length, "mel.hop_length", source);
  read_required(j, "n_mels", c.n_mels, "mel.n_mels", source);
  read_required(j, "f_min", c.f_min, "mel.f_min", source);
  read_required(j, "f_max", c.f_max, "mel.f_max", source);
  read_required(j, "log_offset", c.log_offset, "mel.log_offset", source);
  read_required(j, "cmvn", c.cmvn, "mel.cmvn", source);
  // Null: no level normalisation.
  const auto& level = required(j, "target_level_db", "mel.target_level_db", source);
  if (level.is_null())
    c.target_level_db.reset();
  else
    c.target_level_db = field_value<double>(level, "mel.target_level_db", source);
  return c;
}

void Wav2Vec2Config::validate() const {
  if (model_type != "wav2vec2" && model_type != "hubert" && model_type != "wavlm" && model_type != "tera")
    throw invalid_argument("model_type", "\"wav2vec2\", \"hubert\", \"wavlm\" or \"tera\"", "\"" + model_type + "\"");
  require_positive("hidden_size", hidden_size);
  require_positive("num_hidden_layers", num_hidden_layers);
  require_positive("num_attention_heads", num_attention_heads);
  require_positive("intermediate_size", intermediate_size);
  if (hidden_size % num_attention_heads != 0)
    throw invalid_argument("hidden_size", "a multiple of num_attention_heads (" +
                                              std::to_string(num_attention_heads) + ")",
                           std::to_string(hidden_size));
  speechleak::require_positive("layer_norm_eps", layer_norm_eps);
  if (is_tera()) {
    if (do_stable_layer_norm)
      throw invalid_argument("do_stable_layer_norm", "false for TERA (post-norm layers)", "true");
    mel.validate();
    return;
  }
  if (conv_dim.empty()) throw invalid_argument("conv_dim", "at least one conv layer", "[]");
  if (conv_kernel.size() != conv_dim.size() || conv_stride.size() != conv_dim.size())
    throw invalid_argument("conv_kernel/conv_stride", std::to_string(conv_dim.size()) + " entries like conv_dim",
                           std::to_string(conv_kernel.size()) + " and " + std::to_string(conv_stride.size()));
  for (size_t i = 0; i < conv_dim.size(); ++i) {
    require_positive("conv_dim[" + std::to_string(i) + "]", conv_dim[i]);
    require_positive("conv_kernel[" + std::to_string(i) + "]", conv_kernel[i]);
    require_positive("conv_stride[" + std::to_string(i) + "]", conv_stride[i]);
  }
  require_positive("num_conv_pos_embeddings", num_conv_pos_embeddings);
  require_positive("num_conv_pos_embedding_groups", num_conv_pos_embedding_groups);
  if (hidden_size % num_conv_pos_embedding_groups != 0)
    throw invalid_argument("num_conv_pos_embedding_groups", "a divisor of hidden_size (" +
                                                                std::to_string(hidden_size) + ")",
                           std::to_string(num_conv_pos_embedding_groups));
  if (has_relative_position_bias()) {
    // HF's bucketing: num_buckets / 2 per sign, the first half of those exact; the rest spread logarithmically
    // up to max_bucket_distance, which must lie beyond the exact ones (else the logarithm divides by <= 0).
    require_at_least("num_buckets", num_buckets, 4);
    require_at_least("max_bucket_distance", max_bucket_distance, num_buckets / 4 + 1);
  }
}

std::string Wav2Vec2Config::to_string() const {
  auto n = [](auto v) { return std::to_string(v); };
  const std::string common =
      "model_type=" + model_type + " hidden_size=" + n(hidden_size) + " num_hidden_layers=" + n(num_hidden_layers) +
      " num_attention_heads=" + n(num_attention_heads) + " intermediate_size=" + n(intermediate_size) +
      " hidden_act=" + encoder::to_string(hidden_act) + " layer_norm_eps=" + text::general(layer_norm_eps);
  if (is_tera()) return common + " " + mel.to_string();
  return common + " feat_extract_norm=" + encoder::to_string(feat_extract_norm) +
         " feat_extract_activation=" + encoder::to_string(feat_extract_activation) + " conv_dim=" +
         join_ints(conv_dim) + " conv_kernel=" + join_ints(conv_kernel) + " conv_stride=" + join_ints(conv_stride) +
         " conv_bias=" + n(int(conv_bias)) + " num_conv_pos_embeddings=" + n(num_conv_pos_embeddings) +
         " num_conv_pos_embedding_groups=" + n(num_conv_pos_embedding_groups) +
         " do_stable_layer_norm=" + n(int(do_stable_layer_norm)) + " feat_proj_layer_norm=" + n(int(feat_proj_layer_norm)) +
         (has_relative_position_bias()
              ? " num_buckets=" + n(num_buckets) + " max_bucket_distance=" + n(max_bucket_distance)
              : std::string());
}

int Wav2Vec2Config::samples_per_frame() const {
  if (is_tera()) return mel.hop_length;
  int p = 1;
  for (int s : conv_stride) p *= s;
  return p;
}

int Wav2Vec2Config::receptive_field() const {
  if (is_tera()) return mel.n_fft;
  // Walk back from one output frame: rf_in = (rf_out - 1) * stride + kernel.
  int rf = 1;
  for (size_t i = conv_kernel.size(); i-- > 0;) rf = (rf - 1) * conv_stride[i] + conv_kernel[i];
  return rf;
}

int64_t Wav2Vec2Config::frames_for(int64_t samples) const {
  if (is_tera()) return samples < mel.n_fft ? 0 : samples / mel.hop_length + 1;  // centred STFT frames
  int64_t n = samples;
  for (size_t i = 0; i < conv_kernel.size(); ++i) {
    if (n < conv_kernel[i]) return 0;
    n = (n - conv_kernel[i]) / conv_stride[i] + 1;
  }
  return n;
}

int64_t Wav2Vec2Config::parameter_count() const {
  const int64_t d = hidden_size, f = intermediate_size, c = feature_channels();
  const int64_t layers = num_hidden_layers * (4 * (d * d + d) + 4 * d + d * f + f + f * d + d);
  if (is_tera()) return c * d + d + 2 * d + d + layers;  // projection, input layer norm, masked_spec_embed, layers
  int64_t n = 0, in = 1;
  const bool layer_mode = feat_extract_norm == ExtractorNorm::Layer;
  for (size_t i = 0; i < conv_dim.size(); ++i) {
    n += int64_t{in} * conv_dim[i] * conv_kernel[i] + (conv_bias ? conv_dim[i] : 0);
    if (layer_mode || i == 0) n += 2 * conv_dim[i];
    in = conv_dim[i];
  }
  if (has_feat_proj_layer_norm()) n += 2 * c;
  n += c * d + d;                                                                                // projection
  n += d * (d / num_conv_pos_embedding_groups) * num_conv_pos_embeddings + num_conv_pos_embeddings + d;  // pos
  n += 2 * d;                                                                                    // layer_norm
  n += d;                                                                                        // masked_spec_embed
  n += layers;
  if (has_relative_position_bias()) {
    const int64_t h = num_attention_heads;
    n += num_hidden_layers * ((d / h) * 8 + 8 + h) + int64_t{num_buckets} * h;  // gates; layer 0's embedding
  }
  return n;
}

nlohmann::json Wav2Vec2Config::to_json() const {
  nlohmann::json j;
  j["architectures"] = nlohmann::json::array({model_type == "hubert"  ? "HubertModel"
                                              : model_type == "wavlm" ? "WavLMModel"
                                              : is_tera()             ? "TeraModel"
                                                                      : "Wav2Vec2Model"});
  j["model_type"] = model_type;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["intermediate_size"] = intermediate_size;
  j["hidden_act"] = encoder::to_string(hidden_act);
  j["layer_norm_eps"] = layer_norm_eps;
  if (is_tera()) {
    j["mel"] = mel.to_json();
    j["torch_dtype"] = "float32";
    return j;
  }
  j["feat_extract_norm"] = encoder::to_string(feat_extract_norm);
  j["feat_extract_activation"] = encoder::to_string(feat_extract_activation);
  j["conv_dim"] = conv_dim;
  j["conv_kernel"] = conv_kernel;
  j["conv_stride"] = conv_stride;
  j["conv_bias"] = conv_bias;
  j["num_conv_pos_embeddings"] = num_conv_pos_embeddings;
  j["num_conv_pos_embedding_groups"] = num_conv_pos_embedding_groups;
  j["do_stable_layer_norm"] = do_stable_layer_norm;
  if (model_type == "hubert") j["feat_proj_layer_norm"] = feat_proj_layer_norm;
  if (has_relative_position_bias()) j["num_buckets"] = num_buckets, j["max_bucket_distance"] = max_bucket_distance;
  j["torch_dtype"] = "float32";
  return j;
}

Wav2Vec2Config Wav2Vec2Config::from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) throw FormatError(source, "config must be a JSON object");
  Wav2Vec2Config c;
  read_field(j, "model_type", c.model_type, source);
  if (c.model_type != "wav2vec2" && c.model_type != "hubert" && c.model_type != "wavlm" && c.model_type != "tera")
    throw FormatError(source, "model_type \"" + c.model_type + "\" is not supported; supported: wav2vec2, hubert, "
                              "wavlm, tera");
  read_field(j, "hidden_size", c.hidden_size, source);
  read_field(j, "num_hidden_layers", c.num_hidden_layers, source);
  read_field(j, "num_attention_heads", c.num_attention_heads, source);
  read_field(j, "intermediate_size", c.intermediate_size, source);
  read_field(j, "layer_norm_eps", c.layer_norm_eps, source);
  std::string act = "gelu", feat_act = "gelu", norm = "group";
  read_field(j, "hidden_act", act, source);
  c.hidden_act = activation_field(act, source);
  if (c.is_tera()) {
    if (!j.contains("mel")) throw FormatError(source, "field 'mel' is missing" + std::string(kMelWhy));
    c.mel = MelFrontEndConfig::from_json(j["mel"], source);
    c.feat_proj_layer_norm = false;
    return validated(c, source);
  }
  read_field(j, "feat_extract_activation", feat_act, source);
  read_field(j, "feat_extract_norm", norm, source);
  c.feat_extract_activation = activation_field(feat_act, source);
  if (norm != "group" && norm != "layer")
    throw FormatError(source, "feat_extract_norm: expected \"group\" or \"layer\", got \"" + norm + "\"");
  c.feat_extract_norm = norm == "group" ? ExtractorNorm::Group : ExtractorNorm::Layer;
  read_field(j, "conv_dim", c.conv_dim, source);
  read_field(j, "conv_kernel", c.conv_kernel, source);
  read_field(j, "conv_stride", c.conv_stride, source);
  read_field(j, "conv_bias", c.conv_bias, source);
  read_field(j, "num_conv_pos_embeddings", c.num_conv_pos_embeddings, source);
  read_field(j, "num_conv_pos_embedding_groups", c.num_conv_pos_embedding_groups, source);
  read_field(j, "do_stable_layer_norm", c.do_stable_layer_norm, source);
  if (c.model_type == "hubert") read_field(j, "feat_proj_layer_norm", c.feat_proj_layer_norm, source);
  c.feat_proj_layer_norm = c.model_type != "hubert" ? true : c.feat_proj_layer_norm;
  if (c.has_relative_position_bias()) {
    read_field(j, "num_buckets", c.num_buckets, source);
    read_field(j, "max_bucket_distance", c.max_bucket_distance, source);
  }
  return validated(c, source);
}

Wav2Vec2Config read_hf_config(const std::filesystem::path& config_json) {
  const std::string text = read_text_file(config_json);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(config_json, std::string("not valid JSON: ") + e.what());
  }
  return Wav2Vec2Config::from_json(j, config_json.string());
}

bool read_do_normalize(const std::filesystem::path& model_dir) {
  const auto path = model_dir / "preprocessor_config.json";
  if (!std::filesystem::exists(path)) return false;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path, std::string("not valid JSON: ") + e.what());
  }
  bool v = false;
  read_field(j, "do_normalize", v, path.string());
  return v;
}

}  // namespace speechleak::encoder
