#pragma once
// The output directory of a training run (pretraining, fine-tuning): refuse to overwrite another run, check that a
// resumed run has the options of the one it continues, record the resolved config, and keep train_log.csv in
// step with the checkpoint a run resumes from.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace speechleak::train {

// The "a.b" paths at which two JSON documents differ (objects compared key by key, anything else as a whole),
// skipping the paths in `ignored`.
std::vector<std::string> json_differences(const nlohmann::json& a, const nlohmann::json& b,
                                          const std::set<std::string>& ignored = {});

// "training.<key>" for every loop key a resumed run may change (resume_free_loop_keys()).
std::set<std::string> resume_free_paths();

// Creates `out`; without `resume`, refuses (speechleak::Error) a directory that holds `config_file` or checkpoints/;
// with `resume`, requires `config_file` and refuses when differences(stored config) is not empty (naming the
// fields). Then writes `config` to out/config_file atomically. `what` names the run in messages ("pretraining").
void prepare_run_directory(const std::filesystem::path& out, const std::string& config_file,
                           const nlohmann::json& config, bool resume,
                           const std::function<std::vector<std::string>(const nlohmann::json&)>& differences,
                           const std::string& what);

// Writes `header` to `path`; when resuming, keeps the rows of steps <= keep_until_step (those the checkpoint
// resumed from has taken), so a resumed log equals an uninterrupted one.
void prepare_train_log(const std::filesystem::path& path, const std::string& header, int64_t keep_until_step,
                       bool resume);

}  // namespace speechleak::train
