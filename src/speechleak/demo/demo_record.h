#pragma once
// What a demo leaves for people and tools besides the run directory: demo.json and the `speechleak audit` command
// that repeats its audit. Internal to the demo room.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "speechleak/demo/demo.h"

namespace speechleak::demo {

// The `speechleak audit` command line that audits `model` on the corpus's pretrain/heldout/aux splits with the
// preset's audit settings into `out`. Exact when the audit config's seeds follow `--seed` (the presets' do; a
// warning is logged otherwise).
std::string audit_command(const audit::AuditConfig& config, const std::filesystem::path& model,
                          const std::filesystem::path& corpus, const std::filesystem::path& out,
                          bool reverse_audio = false, const std::string& device = "cpu",
                          const std::string& members = "");  // "" = the corpus's pretrain split

// demo.json: preset, resolved configs, seeds, versions, timings, what was reused, paths, the AUCs.
nlohmann::json demo_record(const DemoPreset& preset, const train::PretrainConfig& pretrain, const DemoResult& result,
                           const std::string& command_line);

// "librispeech:<corpus>:<split>"
std::string split_spec(const std::filesystem::path& corpus, const std::string& split);
// Level, attack, direction, AUC, TPR at 1% and 0.1% FPR and counts of each attack (demo.json, study JSONs).
nlohmann::json results_json(const audit::AuditResult& result);

}  // namespace speechleak::demo
