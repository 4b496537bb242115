#pragma once
// Writes an audit's results as the run directory of docs/run-directory.md.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "speechleak/audit/audit.h"

namespace speechleak::audit {

struct RunInfo {
  std::string run_name;
  std::string model_path, model_description;
  nlohmann::json config;  // config.json: command, seeds, corpora, attack configs, versions
};

// Writes every file atomically; summary.json last, so a directory with a summary.json is complete.
void write_run_directory(const std::filesystem::path& dir, const AuditResult& result, const RunInfo& info);

}  // namespace speechleak::audit
