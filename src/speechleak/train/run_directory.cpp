#include "speechleak/train/run_directory.h"

#include "speechleak/train/training_config.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::train {

namespace fs = std::filesystem;

namespace {

void diff(const nlohmann::json& a, const nlohmann::json& b, const std::string& path,
          const std::set<std::string>& ignored, std::vector<std::string>& out) {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const auto& k : keys) {
      if (ignored.count(path + k)) continue;
      if (!a.contains(k) || !b.contains(k)) out.push_back(path + k);
      else diff(a[k], b[k], path + k + ".", ignored, out);
    }
    return;
  }
  if (a != b) out.push_back(path.empty() ? "(root)" : path.substr(0, path.size() - 1));
}

}  // namespace

std::vector<std::string> json_differences(const nlohmann::json& a, const nlohmann::json& b,
                                          const std::set<std::string>& ignored) {
  std::vector<std::string> out;
  diff(a, b, "", ignored, out);
  return out;
}

std::set<std::string> resume_free_paths() {
  std::set<std::string> out;
  for (const auto& k : resume_free_loop_keys()) out.insert("training." + k);
  return out;
}

void prepare_run_directory(const fs::path& out, const std::string& config_file, const nlohmann::json& config,
                           bool resume,
                           const std::function<std::vector<std::string>(const nlohmann::json&)>& differences,
                           const std::string& what) {
  fs::create_directories(out);
  const auto path = out / config_file;
  if (resume) {
    if (!fs::exists(path))
      throw Error("--resume: " + out.string() + " holds no " + what + " run (no " + config_file + ")");
    nlohmann::json stored;
    try {
      stored = nlohmann::json::parse(read_text_file(path));
    } catch (const nlohmann::json::exception& e) {
      throw FormatError(path, std::string("not valid JSON: ") + e.what());
    }
    auto d = differences(stored);
    if (!d.empty())
      throw Error("--resume: the options differ from the run in " + out.string() + " in: " + text::join(d, ", ") +
                  " (use the original options, or another --out)");
  } else if (fs::exists(path) || fs::exists(out / "checkpoints")) {
    throw Error(out.string() + " already holds a " + what + " run: pass --resume to continue it, or another --out");
  }
  write_text_file_atomically(path, config.dump(2) + "\n");
}

void prepare_train_log(const fs::path& path, const std::string& header, int64_t keep_until_step, bool resume) {
  std::string content = header;
  if (resume && fs::exists(path)) {
    auto lines = read_lines(path);
    for (size_t i = 1; i < lines.size(); ++i) {
      auto fields = text::split(lines[i], ',');
      if (fields.empty() || fields[0].empty()) continue;
      if (text::parse_int(fields[0], path.filename().string() + " step") <= keep_until_step)
        content += lines[i] + "\n";
    }
  }
  write_text_file_atomically(path, content);
}

}  // namespace speechleak::train
