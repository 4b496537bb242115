#include "speechleak/train/checkpoint.h"

#include <torch/serialize.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "speechleak/encoder/safetensors.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::train {

namespace fs = std::filesystem;

namespace {

std::vector<std::pair<std::string, at::Tensor>> named_weights(const std::vector<NamedModule>& modules) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& [prefix, module] : modules)
    for (const auto& p : module->named_parameters(true)) out.emplace_back(prefix + "." + p.key(), p.value());
  return out;
}

std::string step_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step-%08lld", static_cast<long long>(step));
  return buf;
}

void prune(const fs::path& dir, int keep) {
  std::set<std::string> names;  // zero-padded: lexical order = step order
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && text::starts_with(e.path().filename().string(), "step-") &&
        e.path().extension() != ".partial")
      names.insert(e.path().filename().string());
  while (static_cast<int>(names.size()) > keep) {
    fs::remove_all(dir / *names.begin());
    names.erase(names.begin());
  }
}

}  // namespace

fs::path save_checkpoint(const fs::path& out_dir, const std::vector<NamedModule>& modules,
                         torch::optim::AdamW& optimizer, const TrainPosition& pos, int keep) {
  const auto dir = out_dir / "checkpoints";
  const auto name = step_name(pos.step);
  const auto partial = dir / (name + ".partial");
  fs::remove_all(partial);
  fs::create_directories(partial);
  encoder::save_tensors(partial / "weights.safetensors", named_weights(modules));
  try {
    torch::save(optimizer, (partial / "optimizer.pt").string());
  } catch (const c10::Error& e) {  // the serializer's message names no file and no reason
    throw FileError(partial / "optimizer.pt", write_failure(errno) + ": " + e.what_without_backtrace());
  }
  nlohmann::json state = {{"step", pos.step},           {"epoch", pos.epoch},
                          {"batch", pos.batch},         {"elapsed_s", pos.elapsed_s},
                          {"audio_seconds", pos.audio_seconds}};
  write_text_file_atomically(partial / "state.json", state.dump(2) + "\n");
  fs::remove_all(dir / name);
  fs::rename(partial, dir / name);
  write_text_file_atomically(dir / "latest", name + "\n");
  prune(dir, keep);
  return dir / name;
}

std::optional<fs::path> latest_checkpoint(const fs::path& out_dir) {
  const auto latest = out_dir / "checkpoints" / "latest";
  if (!fs::exists(latest)) return std::nullopt;
  const auto name = std::string(text::trim(read_text_file(latest)));
  const auto dir = out_dir / "checkpoints" / name;
  if (name.empty() || !fs::is_directory(dir)) throw FormatError(latest, "names a missing checkpoint '" + name + "'");
  return dir;
}

TrainPosition load_checkpoint(const fs::path& dir, const std::vector<NamedModule>& modules,
                              torch::optim::AdamW& optimizer) {
  const auto weights_path = dir / "weights.safetensors";
  auto tensors = encoder::load_tensors(weights_path);
  {
    at::NoGradGuard no_grad;
    for (auto& [name, param] : named_weights(modules)) {
      auto it = tensors.find(name);
      if (it == tensors.end()) throw FormatError(weights_path, "missing tensor '" + name + "'");
      if (it->second.sizes() != param.sizes())
        throw FormatError(weights_path, "tensor '" + name + "': expected shape " +
                                            encoder::shape_to_string(param.sizes().vec()) + ", got " +
                                            encoder::shape_to_string(it->second.sizes().vec()));
      param.copy_(it->second);
    }
  }
  torch::load(optimizer, (dir / "optimizer.pt").string());
  TrainPosition pos;
  try {
    auto j = nlohmann::json::parse(read_text_file(dir / "state.json"));
    pos.step = j.at("step"), pos.epoch = j.at("epoch"), pos.batch = j.at("batch");
    pos.elapsed_s = j.at("elapsed_s"), pos.audio_seconds = j.at("audio_seconds");
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(dir / "state.json", e.what());
  }
  return pos;
}

}  // namespace speechleak::train
