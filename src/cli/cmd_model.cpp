// speechleak model info PATH: what an encoder checkpoint is, as speechleak will run it (and, for a CTC
// recogniser, its head and vocabulary).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "speechleak/asr/ctc_model.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/runtime/threads.h"

namespace speechleak::cli {
namespace {

struct InfoOptions {
  std::string path, device = "cpu", precision = "fp32", normalization;
  bool json = false;
};

std::string grouped(int64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string states_text(const encoder::EncoderMetadata& m) {
  if (m.available_states.empty()) return "none";
  return std::to_string(m.available_states.front()) + ".." + std::to_string(m.available_states.back());
}

nlohmann::json to_json(const encoder::EncoderMetadata& m) {
  return {{"path", m.source.string()},
          {"family", m.family},
          {"kind", m.kind},
          {"architecture", m.architecture},
          {"parameters", m.parameters},
          {"layers", m.layers},
          {"width", m.width},
          {"available_states", m.available_states},
          {"sample_rate", m.sample_rate},
          {"samples_per_frame", m.samples_per_frame},
          {"frame_rate_hz", m.frame_rate()},
          {"receptive_field", m.receptive_field},
          {"normalization", audio::to_string(m.normalization)},
          {"padding_invariant", m.padding_invariant},
          {"weights_dtype", m.weights_dtype},
          {"device", m.device},
          {"precision", m.precision},
          {"ignored_keys", m.ignored_keys},
          {"description", m.description()}};
}

void print_text(const encoder::EncoderMetadata& m) {
  std::printf("path:          %s\n", m.source.c_str());
  std::printf("family:        %s (%s)\n", m.family.c_str(), m.kind.c_str());
  std::printf("architecture:  %s\n", m.architecture.c_str());
  std::printf("parameters:    %s (%.1f M)\n", grouped(m.parameters).c_str(), m.parameters / 1e6);
  std::printf("layers:        %d (hidden states %s; 0 = input of the first layer)\n", m.layers,
              states_text(m).c_str());
  std::printf("width:         %d\n", m.width);
  std::printf("frame rate:    %.1f Hz (%d samples per frame at %d Hz, receptive field %d samples)\n", m.frame_rate(),
              m.samples_per_frame, m.sample_rate, m.receptive_field);
  std::printf("normalisation: %s\n", audio::to_string(m.normalization).c_str());
  std::printf("batching:      %s\n", m.padding_invariant ? "exact (padded batches equal single utterances)"
                                                         : "module batches as given (may depend on padding)");
  std::printf("weights:       %s, run as %s on %s\n", m.weights_dtype.c_str(), m.precision.c_str(), m.device.c_str());
  std::printf("ignored keys:  %zu%s", m.ignored_keys.size(), m.ignored_keys.empty() ? "\n" : ":\n");
  for (const auto& k : m.ignored_keys) std::printf("  %s\n", k.c_str());
}

// The recognition head of a CTC directory (HF *ForCTC): its shape and vocabulary (no weights read).
nlohmann::json ctc_json(const asr::CtcDirectory& d) {
  const auto& v = d.vocabulary;
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < v.size(); ++i) tokens.push_back(v.token(i));
  auto token_or_null = [&](int64_t id) { return id >= 0 ? nlohmann::json(v.token(id)) : nlohmann::json(nullptr); };
  return {{"architecture", d.architecture},
          {"head", "lm_head Linear(" + std::to_string(d.hidden_size) + " -> " + std::to_string(v.size()) + ")"},
          {"vocab_size", v.size()},
          {"blank", v.pad_token()},
          {"blank_id", v.blank()},
          {"word_delimiter", token_or_null(v.delimiter())},
          {"unk", token_or_null(v.unk())},
          {"final_dropout", d.final_dropout},
          {"vocabulary", tokens}};
}

void print_ctc(const nlohmann::json& c) {
  std::printf("ctc head:      %s, blank '%s' (id %lld), word delimiter %s, unknown %s\n",
              c["head"].get<std::string>().c_str(), c["blank"].get<std::string>().c_str(),
              static_cast<long long>(c["blank_id"].get<int64_t>()),
              c["word_delimiter"].is_null() ? "none" : ("'" + c["word_delimiter"].get<std::string>() + "'").c_str(),
              c["unk"].is_null() ? "none" : ("'" + c["unk"].get<std::string>() + "'").c_str());
  std::string tokens;
  for (const auto& t : c["vocabulary"]) tokens += " " + t.get<std::string>();
  std::printf("vocabulary:    %lld tokens:%s\n", static_cast<long long>(c["vocab_size"].get<int64_t>()), tokens.c_str());
}

void add_info(CLI::App& parent) {
  auto opt = std::make_shared<InfoOptions>();
  auto* cmd = parent.add_subcommand("info", "Architecture, parameters, layers, width, frame rate, normalisation and "
                                            "ignored checkpoint keys");
  cmd->add_option("path", opt->path, "HF model directory (config.json + model.safetensors) or TorchScript file")
      ->required();
  cmd->add_option("--device", opt->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("--precision", opt->precision, "fp32 or bf16")->capture_default_str();
  cmd->add_option("--normalization", opt->normalization,
                  "Override the checkpoint's input normalisation (none, peak, hf, fairseq)");
  cmd->add_flag("--json", opt->json, "Print JSON instead of text");
  cmd->callback([opt] {
    runtime::ensure_torch_threads();
    encoder::EncoderOptions eo;
    eo.device = opt->device;
    eo.precision = opt->precision;
    if (!opt->normalization.empty()) eo.normalization = audio::parse_normalization(opt->normalization);
    auto enc = encoder::load_encoder(opt->path, eo);
    auto info = to_json(enc->metadata());
    if (std::filesystem::is_directory(opt->path) && asr::is_ctc_directory(opt->path))
      info["ctc"] = ctc_json(asr::read_ctc_directory(opt->path));
    if (opt->json) {
      std::cout << info.dump(2) << "\n";
      return;
    }
    print_text(enc->metadata());
    if (info.contains("ctc")) print_ctc(info["ctc"]);
  });
}

}  // namespace

void add_model_command(CLI::App& app) {
  auto* model = app.add_subcommand("model", "Inspect encoder checkpoints");
  model->require_subcommand(1);
  add_info(*model);
}

}  // namespace speechleak::cli
