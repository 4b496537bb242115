#include "speechleak/train/pretrain_reuse.h"

#include <nlohmann/json.hpp>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A JSON file that parses, or null (missing or damaged files just mean "not finished").
json read_json_or_null(const fs::path& path) {
  if (!fs::exists(path)) return nullptr;
  try {
    return json::parse(read_text_file(path));
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

PretrainState pretrain_state(const fs::path& dir) {
  const json meta = read_json_or_null(dir / "speechleak_pretraining.json");
  const bool finished = meta.is_object() && meta.contains("training") && meta["training"].value("finished", false);
  if (finished && fs::exists(dir / "config.json") && fs::exists(dir / "model.safetensors")) return PretrainState::Finished;
  if (fs::exists(dir / "pretrain_config.json")) return PretrainState::Interrupted;
  return PretrainState::Absent;
}

void adopt_interrupted_run(const fs::path& dir, const PretrainConfig& config) {
  const fs::path path = dir / "pretrain_config.json";
  const json stored = read_json_or_null(path);
  if (stored.is_null()) throw Error(path.string() + " is unreadable; delete " + dir.string() + " to train again");
  auto differences = config_differences(stored, config.to_json());
  std::erase(differences, std::string("corpus"));
  if (!differences.empty())
    throw Error(dir.string() + " holds an interrupted pretraining run with other options (" +
                text::join(differences, ", ") + "); delete it to train again");
  if (stored.value("corpus", "") != config.corpus) {
    log_info("the data moved: resuming " + dir.string() + " on " + config.corpus);
    write_text_file_atomically(path, config.to_json().dump(2) + "\n");
  }
}

bool pretrain_or_reuse(const PretrainConfig& config, const fs::path& dir, PretrainOptions options) {
  const auto state = pretrain_state(dir);
  if (state == PretrainState::Finished) {
    log_info("reusing the finished model in " + dir.string());
    return true;
  }
  if (state == PretrainState::Interrupted) adopt_interrupted_run(dir, config);
  log_info("pretraining " + config.arch + " (" + std::to_string(config.model.parameter_count()) +
           " parameters) for " + std::to_string(config.epochs) + " epochs into " + dir.string());
  options.resume = state == PretrainState::Interrupted;
  const auto result = run_pretraining(config, dir, options);
  if (!result.finished)
    throw Error("pretraining in " + dir.string() + " stopped before its last epoch; run the command again");
  return false;
}

}  // namespace speechleak::train
