#pragma once
// The inputs of an audit that is given a model rather than feature stores: each role's corpus extracted into a
// resumable feature store inside the run directory, and the run's config.json (audit_pipeline.h runs them).
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "speechleak/audit/audit.h"
#include "speechleak/corpus/spec.h"
#include "speechleak/features/extract.h"
#include "speechleak/util/progress.h"

namespace speechleak::encoder {
class Encoder;
}

namespace speechleak::pipeline {

struct RoleInput {
  std::string name;              // "members" | "nonmembers" | "aux"
  std::string input;             // a corpus spec (with a model) or a feature store (without)
  std::filesystem::path store;   // the feature store the audit reads
  size_t utterances = 0;         // in the store after extraction; 0 when the store was given, not extracted
};

// RUN/features/<role>, or <role>-reversed for the reversal attack (reversed and plain features must never share a
// store: the manifests would differ and the second extraction would be refused).
std::filesystem::path role_store_dir(const std::filesystem::path& run_dir, const std::string& role, bool reverse_audio);

// What the audit needs from extraction: its layer (default: the last), and frames when an improved attack runs.
features::ExtractConfig role_extract_config(const audit::AuditConfig& config, bool reverse_audio,
                                            const corpus::CorpusSpec& spec);

// Loads role.input as a corpus and extracts it into role_store_dir (resuming what an earlier run left), with
// `signal`'s fields when given; sets role.store and role.utterances and logs the extraction summary. Progress:
// "read corpus", then "extract".
void extract_role(RoleInput& role, encoder::Encoder& encoder, const std::filesystem::path& run_dir,
                  const audit::AuditConfig& config, bool reverse_audio, const ProgressCallback& progress = {},
                  features::UtteranceSignal* signal = nullptr);

// The run directory's config.json (docs/run-directory.md): command, seeds, model, corpora, audit config, versions.
nlohmann::json run_config_json(const std::string& command_line, const std::string& model_path,
                               const std::string& model_fingerprint, bool reverse_audio,
                               const std::vector<RoleInput>& roles, const audit::AuditConfig& config);

}  // namespace speechleak::pipeline
