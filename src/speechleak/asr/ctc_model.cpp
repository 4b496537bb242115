#include "speechleak/asr/ctc_model.h"

#include <ATen/ATen.h>

#include <type_traits>

#include <nlohmann/json.hpp>

#include "speechleak/encoder/tensor_io.h"
#include "speechleak/train/encoder_forward.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"

namespace speechleak::asr {

namespace fs = std::filesystem;
using nlohmann::json;

CtcModelImpl::CtcModelImpl(encoder::Wav2Vec2Model enc, Vocabulary vocabulary, double final_dropout,
                           torch::nn::Linear head)
    : vocabulary_(std::move(vocabulary)), final_dropout_(final_dropout) {
  if (!(final_dropout >= 0 && final_dropout < 1))
    throw invalid_argument("final_dropout", "in [0, 1)", std::to_string(final_dropout));
  encoder = register_module("encoder", std::move(enc));
  dropout = register_module("dropout", torch::nn::Dropout(final_dropout));
  const int64_t d = encoder->config().hidden_size, v = vocabulary_.size();
  if (head && (head->options.in_features() != d || head->options.out_features() != v))
    throw invalid_argument("head", "Linear(" + std::to_string(d) + ", " + std::to_string(v) + ")",
                           "Linear(" + std::to_string(head->options.in_features()) + ", " +
                               std::to_string(head->options.out_features()) + ")");
  lm_head = register_module("lm_head", head ? head : torch::nn::Linear(d, v));
}

at::Tensor CtcModelImpl::head(const at::Tensor& hidden) { return lm_head->forward(dropout->forward(hidden)); }

CtcOutput CtcModelImpl::forward(const at::Tensor& waveforms, const at::Tensor& lengths) {
  const int last = encoder->config().num_hidden_layers;
  std::vector<bool> keep(last + 1, false);
  keep[last] = true;
  auto states = encoder->forward_states(waveforms, lengths, keep);
  return {head(states.states[last]), states.frame_lengths};
}

CtcOutput CtcModelImpl::forward_masked(const at::Tensor& waveforms, const at::Tensor& lengths,
                                       const at::Tensor& frame_mask) {
  auto hidden = train::masked_forward(encoder, waveforms, lengths, frame_mask, 1.0);
  auto frames = at::empty({lengths.size(0)}, at::kLong);
  const auto cpu = lengths.to(at::kLong).cpu();
  for (int64_t i = 0; i < lengths.size(0); ++i) frames[i] = encoder->config().frames_for(cpu[i].item<int64_t>());
  return {head(hidden), frames};
}

namespace {

json read_json(const fs::path& p) {
  try {
    return json::parse(read_text_file(p));
  } catch (const json::exception& e) {
    throw FormatError(p, std::string("not valid JSON: ") + e.what());
  }
}

std::string ctc_architecture(const json& config) {
  if (config.contains("architectures") && config["architectures"].is_array())
    for (const auto& a : config["architectures"])
      if (a.is_string() && a.get<std::string>().ends_with("ForCTC")) return a.get<std::string>();
  return "";
}

// A number field of config.json (`fallback` when absent); integers must be JSON integers (util/json_number.h).
template <typename T>
T config_number(const json& config, const char* key, T fallback, const fs::path& path) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const json& v = config[key];
  if constexpr (std::is_integral_v<T>) {
    if (const auto n = json_integer<T>(v)) return *n;
  } else if (v.is_number()) {
    return v.get<T>();
  }
  throw FormatError(path, std::string(key) + ": expected " + (std::is_integral_v<T> ? "an integer" : "a number") +
                              ", got " + v.dump());
}

const encoder::TensorView* find_tensor(const std::vector<encoder::SafetensorsFile>& files, const std::string& name,
                                       fs::path* where) {
  for (const auto& f : files)
    if (const auto* v = f.find(name)) {
      *where = f.path();
      return v;
    }
  return nullptr;
}

}  // namespace

bool is_ctc_directory(const fs::path& dir) {
  return fs::exists(dir / "config.json") && !ctc_architecture(read_json(dir / "config.json")).empty();
}

CtcDirectory read_ctc_directory(const fs::path& dir) {
  const auto config_path = dir / "config.json";
  if (!fs::exists(config_path)) throw FileError(dir, "no config.json in the model directory");
  const json config = read_json(config_path);
  CtcDirectory d{ctc_architecture(config), Vocabulary::characters(), 0, 0.1};
  if (d.architecture.empty())
    throw FormatError(config_path, "not a CTC model: architectures names no *ForCTC class (an encoder without a "
                                   "recognition head; fine-tune it with `speechleak finetune`)");
  d.vocabulary = Vocabulary::load(dir / "vocab.json");
  const auto& vocab = d.vocabulary;
  const auto vocab_size = config_number(config, "vocab_size", int64_t{-1}, config_path);
  if (vocab_size != vocab.size())
    throw FormatError(dir / "vocab.json", "holds " + std::to_string(vocab.size()) + " tokens; config.json's "
                                          "vocab_size is " + std::to_string(vocab_size));
  const auto pad = config_number(config, "pad_token_id", vocab.blank(), config_path);
  if (pad != vocab.blank())
    throw FormatError(config_path, "pad_token_id " + std::to_string(pad) + " is not vocab.json's blank '" +
                                       vocab.pad_token() + "' (id " + std::to_string(vocab.blank()) + ")");
  d.hidden_size = config_number(config, "hidden_size", int64_t{768}, config_path);
  d.final_dropout = config_number(config, "final_dropout", 0.1, config_path);
  const auto files = encoder::open_hf_weights(dir);  // headers only
  const std::vector<std::pair<std::string, std::vector<int64_t>>> head = {
      {"lm_head.weight", {vocab.size(), d.hidden_size}}, {"lm_head.bias", {vocab.size()}}};
  for (const auto& [name, shape] : head) {
    fs::path file = dir / "model.safetensors";
    const auto* view = find_tensor(files, name, &file);
    if (!view) throw FormatError(file, "missing tensor '" + name + "' (the CTC head)");
    if (view->shape != shape)
      throw FormatError(file, "tensor '" + name + "': expected shape " + encoder::shape_to_string(shape) +
                                  " (vocab_size x hidden_size), got " + encoder::shape_to_string(view->shape));
  }
  return d;
}

LoadedCtcModel load_ctc_directory(const fs::path& dir) {
  auto d = read_ctc_directory(dir);
  auto encoder = encoder::load_hf_directory(dir);
  LoadedCtcModel out;
  out.do_normalize = encoder.do_normalize;
  out.report = std::move(encoder.report);
  out.model = CtcModel(encoder.model, std::move(d.vocabulary), d.final_dropout);
  const auto files = encoder::open_hf_weights(dir);
  at::NoGradGuard no_grad;
  for (auto* param : {&out.model->lm_head->weight, &out.model->lm_head->bias}) {
    const std::string name = param == &out.model->lm_head->weight ? "lm_head.weight" : "lm_head.bias";
    fs::path file = dir / "model.safetensors";
    param->copy_(encoder::to_float_tensor(*find_tensor(files, name, &file), file));  // read_ctc_directory checked it
  }
  return out;
}

void save_ctc_directory(CtcModel& model, const fs::path& dir, bool do_normalize) {
  fs::create_directories(dir);
  const auto& c = model->encoder->config();
  // HF's <Family>ForCTC: the encoder under the family's prefix, the head as lm_head.
  const std::string prefix = c.model_type + ".";
  const std::string architecture =
      c.model_type == "hubert" ? "HubertForCTC"
      : c.model_type == "wavlm" ? "WavLMForCTC"
      : c.is_tera()             ? "TeraForCTC"
                                : "Wav2Vec2ForCTC";
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : model->encoder->named_parameters(true)) tensors.emplace_back(prefix + item.key(), item.value());
  tensors.emplace_back("lm_head.weight", model->lm_head->weight);
  tensors.emplace_back("lm_head.bias", model->lm_head->bias);
  encoder::save_tensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
  const auto& v = model->vocabulary();
  json config = c.to_json();
  config["architectures"] = json::array({architecture});
  config["vocab_size"] = v.size();
  config["pad_token_id"] = v.blank();
  config["ctc_loss_reduction"] = "mean";
  config["ctc_zero_infinity"] = true;
  config["final_dropout"] = model->final_dropout();
  write_text_file_atomically(dir / "config.json", config.dump(2) + "\n");
  encoder::write_preprocessor_config(dir, do_normalize);
  write_text_file_atomically(dir / "vocab.json", v.to_json().dump(2) + "\n");
  json special = {{"pad_token", v.pad_token()}};
  if (v.unk() >= 0) special["unk_token"] = v.token(v.unk());
  json tokenizer = special;
  tokenizer["tokenizer_class"] = "Wav2Vec2CTCTokenizer";
  tokenizer["word_delimiter_token"] = v.delimiter() >= 0 ? json(v.token(v.delimiter())) : json(nullptr);
  tokenizer["bos_token"] = nullptr;  // no <s> / </s>: the vocabulary is exactly vocab.json
  tokenizer["eos_token"] = nullptr;
  tokenizer["do_lower_case"] = false;
  write_text_file_atomically(dir / "tokenizer_config.json", tokenizer.dump(2) + "\n");
  write_text_file_atomically(dir / "special_tokens_map.json", special.dump(2) + "\n");
}

}  // namespace speechleak::asr
