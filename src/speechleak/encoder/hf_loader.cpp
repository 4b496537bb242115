#include "speechleak/encoder/hf_loader.h"

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "speechleak/encoder/tensor_io.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::encoder {
namespace {

namespace fs = std::filesystem;
using text::starts_with;

constexpr std::string_view kFusedPosWeight = "encoder.pos_conv_embed.conv.weight";

// Names (exact) and name prefixes (ending in '.') of tensors that are not part of the encoder.
constexpr std::array<std::string_view, 13> kIgnored{"label_embs_concat", "layer_weights", "quantizer.",
                                                    "project_q.",        "project_hid.",   "final_proj.",
                                                    "lm_head.",          "aux.",           "projector.",
                                                    "classifier.",       "adapter.",       "SpecHead.",
                                                    "spec_head."};

// Encoder tensors a checkpoint may lack: HF writes masked_spec_embed only when the config asks for masking, and
// inference never uses it (it stays zero).
bool is_optional(std::string_view name) { return name == "masked_spec_embed"; }

bool is_ignored(std::string_view key) {
  for (auto p : kIgnored)
    if (p.back() == '.' ? starts_with(key, p) : key == p) return true;
  return false;
}

std::string list_keys(const std::vector<std::string>& keys, size_t max = 12) {
  std::string s;
  for (size_t i = 0; i < keys.size() && i < max; ++i) s += (i ? ", " : "") + keys[i];
  if (keys.size() > max) s += ", ... (" + std::to_string(keys.size()) + " in all)";
  return s;
}

// The model prefix of a state dict saved from a CTC / pretraining class, or "".
std::string detect_prefix(const std::vector<const TensorView*>& views, const fs::path& file) {
  std::set<std::string> found;
  for (const auto* v : views)
    for (std::string p : {"wav2vec2.", "hubert.", "wavlm.", "tera.", "Transformer.", "data2vec_audio."})
      if (starts_with(v->name, p)) found.insert(p);
  if (found.count("data2vec_audio."))
    throw FormatError(file, "keys prefixed 'data2vec_audio.' belong to a model family speechleak does not "
                            "implement (supported: wav2vec2, hubert, wavlm, tera)");
  if (found.size() > 1) {
    std::string prefixes;
    for (const auto& p : found) prefixes += (prefixes.empty() ? "'" : ", '") + p + "'";
    throw FormatError(file, "keys carry several model prefixes (" + prefixes + "): expected one");
  }
  return found.empty() ? "" : *found.begin();
}

struct Canonical {
  std::string name;
  bool torchaudio = false;
  bool s3prl = false;
  bool parametrization = false;
};

using Rename = std::pair<std::string_view, std::string_view>;

// s3prl's TERA / Mockingjay TransformerModel names (upstream/mockingjay/model.py) -> ours; legacy LayerNorm
// gamma/beta -> weight/bias as s3prl's own loader does. Returns false for a key not in s3prl's naming.
bool rename_s3prl(std::string& key) {
  static constexpr Rename kInput[] = {{"input_representations.spec_transform.", "feature_projection.projection."},
                                      {"input_representations.LayerNorm.", "encoder.layer_norm."}};
  static constexpr Rename kLayer[] = {{"attention.self.query.", "attention.q_proj."},
                                      {"attention.self.key.", "attention.k_proj."},
                                      {"attention.self.value.", "attention.v_proj."},
                                      {"attention.output.dense.", "attention.out_proj."},
                                      {"attention.output.LayerNorm.", "layer_norm."},
                                      {"intermediate.dense.", "feed_forward.intermediate_dense."},
                                      {"output.dense.", "feed_forward.output_dense."},
                                      {"output.LayerNorm.", "final_layer_norm."}};
  std::string out;
  for (auto [from, to] : kInput)
    if (starts_with(key, from)) out = std::string(to) + key.substr(from.size());
  constexpr std::string_view kLayers = "encoder.layer.";
  if (out.empty() && starts_with(key, kLayers)) {
    const auto dot = key.find('.', kLayers.size());
    if (dot == std::string::npos) return false;
    const std::string index = key.substr(kLayers.size(), dot - kLayers.size());
    const std::string rest = key.substr(dot + 1);
    for (auto [from, to] : kLayer)
      if (out.empty() && starts_with(rest, from))
        out = "encoder.layers." + index + "." + std::string(to) + rest.substr(from.size());
  }
  if (out.empty()) return false;
  for (auto [from, to] : {Rename{".gamma", ".weight"}, Rename{".beta", ".bias"}})
    if (out.ends_with(from)) out = out.substr(0, out.size() - from.size()) + std::string(to);
  key = std::move(out);
  return true;
}

// HF name without prefix for any accepted spelling of a key.
Canonical canonical_name(std::string key, const std::string& prefix) {
  Canonical c;
  if (!prefix.empty() && starts_with(key, prefix)) key = key.substr(prefix.size());
  for (auto [from, to] : {std::pair<std::string, std::string>{"encoder.feature_projection.", "feature_projection."},
                          {"encoder.transformer.", "encoder."}})
    if (starts_with(key, from)) key = to + key.substr(from.size()), c.torchaudio = true;
  c.s3prl = rename_s3prl(key);
  for (auto [from, to] : {std::pair<std::string, std::string>{".conv.parametrizations.weight.original0", ".conv.weight_g"},
                          {".conv.parametrizations.weight.original1", ".conv.weight_v"}}) {
    auto pos = key.find(from);
    if (pos != std::string::npos && pos + from.size() == key.size())
      key = key.substr(0, pos) + to, c.parametrization = true;
  }
  c.name = std::move(key);
  return c;
}

std::string dtype_summary(const std::vector<const TensorView*>& used) {
  std::set<std::string_view> kinds;
  for (const auto* v : used) kinds.insert(dtype_name(v->dtype));
  return kinds.size() == 1 ? std::string(*kinds.begin()) : "mixed";
}

void check_shape(const std::string& name, const TensorView& v, const at::Tensor& param, const fs::path& file) {
  if (param.sizes().vec() == v.shape) return;
  throw FormatError(file, "tensor '" + v.name + "' (" + name + "): expected shape " +
                              shape_to_string(param.sizes().vec()) + " from config.json, got " +
                              shape_to_string(v.shape));
}

LoadReport load_views(Wav2Vec2Model& model, const std::vector<const TensorView*>& views, const fs::path& file) {
  LoadReport report;
  report.prefix = detect_prefix(views, file);
  std::map<std::string, const TensorView*> by_name;
  bool torchaudio = false, s3prl = false, parametrization = false;
  for (const auto* v : views) {
    auto c = canonical_name(v->name, report.prefix);
    if (is_ignored(c.name)) {
      report.ignored_keys.push_back(v->name);
      continue;
    }
    torchaudio |= c.torchaudio;
    s3prl |= c.s3prl;
    parametrization |= c.parametrization;
    auto [it, fresh] = by_name.emplace(c.name, v);
    if (!fresh)
      throw FormatError(file, "tensors '" + it->second->name + "' and '" + v->name + "' both hold '" + c.name + "'");
  }
  report.key_style = torchaudio ? "torchaudio" : s3prl ? "s3prl" : "hf";
  if (model->config().is_tera())
    for (const auto& [name, v] : by_name)
      if (starts_with(name, "feature_extractor.") || starts_with(name, "encoder.pos_conv_embed."))
        throw FormatError(file, "tensor '" + v->name + "' belongs to a convolutional front end, but config.json "
                                "says model_type \"tera\" (log-mel input): the weights and config.json are of "
                                "different model families");
  const TensorView* fused = by_name.count(std::string(kFusedPosWeight)) ? by_name[std::string(kFusedPosWeight)]
                                                                        : nullptr;
  report.pos_conv_form = fused ? "fused" : parametrization ? "parametrizations" : "weight_g/weight_v";

  at::NoGradGuard no_grad;
  std::vector<std::string> missing;
  std::vector<const TensorView*> used;
  std::set<std::string> consumed;
  for (auto& item : model->named_parameters(true)) {
    const std::string& name = item.key();
    auto& param = item.value();
    const bool weight_norm_part = name.ends_with("pos_conv_embed.conv.weight_g") ||
                                  name.ends_with("pos_conv_embed.conv.weight_v");
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      if (!(fused && weight_norm_part) && !is_optional(name)) missing.push_back(name);
      continue;
    }
    check_shape(name, *it->second, param, file);
    param.copy_(to_float_tensor(*it->second, file));
    used.push_back(it->second);
    consumed.insert(name);
  }
  if (!missing.empty())
    throw FormatError(file, "missing tensors (expected by config.json for a " + model->config().model_type +
                                " model): " + list_keys(missing));
  if (fused) {
    auto& conv = model->encoder->pos_conv_embed->conv;
    check_shape(std::string(kFusedPosWeight), *fused, conv->weight_v, file);
    conv->set_from_fused(to_float_tensor(*fused, file));
    used.push_back(fused);
    consumed.insert(std::string(kFusedPosWeight));
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, v] : by_name)
    if (!consumed.count(name)) unexpected.push_back(v->name);
  if (!unexpected.empty())
    throw FormatError(file, "unexpected tensors, not part of a " + model->config().model_type +
                                " encoder with this config.json (another architecture?): " + list_keys(unexpected));
  report.source_dtype = dtype_summary(used);
  return report;
}

}  // namespace

std::vector<SafetensorsFile> open_hf_weights(const fs::path& dir) {
  std::vector<SafetensorsFile> files;
  if (fs::exists(dir / "model.safetensors")) {
    files.push_back(SafetensorsFile::open(dir / "model.safetensors"));
    return files;
  }
  const auto index = dir / "model.safetensors.index.json";
  if (fs::exists(index)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_text_file(index));
    } catch (const nlohmann::json::exception& e) {
      throw FormatError(index, std::string("not valid JSON: ") + e.what());
    }
    if (!j.contains("weight_map") || !j["weight_map"].is_object())
      throw FormatError(index, "no weight_map object");
    std::set<std::string> shards;
    for (const auto& [k, v] : j["weight_map"].items()) {
      // A shard is a file beside the index, as save_pretrained writes them.
      if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().find('/') != std::string::npos)
        throw FormatError(index, "weight_map['" + k + "']: expected a shard file name beside the index, got " +
                                     v.dump());
      shards.insert(v.get<std::string>());
    }
    if (shards.empty()) throw FormatError(index, "weight_map names no shard");
    for (const auto& s : shards) files.push_back(SafetensorsFile::open(dir / s));
    return files;
  }
  if (fs::exists(dir / "pytorch_model.bin")) throw FormatError(dir, pytorch_bin_refusal(dir));
  throw FileError(dir, "no model.safetensors (nor model.safetensors.index.json) in the model directory");
}

std::string pytorch_bin_refusal(const fs::path& dir) {
  return "only pytorch_model.bin found: speechleak reads safetensors and never unpickles checkpoints. Convert "
         "once with: python -c \"from transformers import AutoModel; d='" +
         dir.string() + "'; AutoModel.from_pretrained(d).save_pretrained(d, safe_serialization=True)\"";
}

LoadReport load_hf_weights(Wav2Vec2Model& model, const SafetensorsFile& file) {
  std::vector<const TensorView*> views;
  for (const auto& v : file.tensors()) views.push_back(&v);
  return load_views(model, views, file.path());
}

LoadedHfModel load_hf_directory(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw FileError(dir, "not a directory");
  if (!fs::exists(dir / "config.json")) throw FileError(dir, "no config.json in the model directory");
  auto files = open_hf_weights(dir);  // before parsing the config: refuses pytorch_model.bin first
  LoadedHfModel out;
  out.model = Wav2Vec2Model(read_hf_config(dir / "config.json"));
  out.do_normalize = read_do_normalize(dir);
  std::vector<const TensorView*> views;
  for (const auto& f : files)
    for (const auto& v : f.tensors()) views.push_back(&v);
  out.report = load_views(out.model, views, files.size() == 1 ? files[0].path() : dir);
  return out;
}

void save_hf_directory(Wav2Vec2Model& model, const fs::path& dir, bool do_normalize) {
  save_hf_directory(model, dir, do_normalize, nlohmann::json::object());
}

void save_hf_directory(Wav2Vec2Model& model, const fs::path& dir, bool do_normalize,
                       const nlohmann::json& extra_config) {
  if (!extra_config.is_object()) throw invalid_argument("extra_config", "a JSON object", extra_config.type_name());
  fs::create_directories(dir);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : model->named_parameters(true)) tensors.emplace_back(item.key(), item.value());
  save_tensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
  auto config = model->config().to_json();
  config.update(extra_config);
  write_text_file_atomically(dir / "config.json", config.dump(2) + "\n");
  write_preprocessor_config(dir, do_normalize);
}

void write_preprocessor_config(const fs::path& dir, bool do_normalize) {
  nlohmann::json pre = {{"do_normalize", do_normalize},
                        {"feature_extractor_type", "Wav2Vec2FeatureExtractor"},
                        {"feature_size", 1},
                        {"padding_side", "right"},
                        {"padding_value", 0.0},
                        {"return_attention_mask", do_normalize},
                        {"sampling_rate", 16000}};
  write_text_file_atomically(dir / "preprocessor_config.json", pre.dump(2) + "\n");
}

}  // namespace speechleak::encoder
