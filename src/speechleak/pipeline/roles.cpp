#include "speechleak/pipeline/roles.h"

#include "speechleak/corpus/load.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/util/log.h"

namespace speechleak::pipeline {
namespace fs = std::filesystem;

fs::path role_store_dir(const fs::path& run_dir, const std::string& role, bool reverse_audio) {
  return run_dir / "features" / (role + (reverse_audio ? "-reversed" : ""));
}

features::ExtractConfig role_extract_config(const audit::AuditConfig& config, bool reverse_audio,
                                            const corpus::CorpusSpec& spec) {
  features::ExtractConfig c;
  if (config.layer >= 0) c.layers = {config.layer};
  // Frames cost ~50x the bytes of the pooled vectors: store them only when a learned attack reads them.
  c.frames = config.wants("utterance", "improved") || config.wants("speaker", "improved");
  c.reverse_audio = reverse_audio;
  c.audio_policy = corpus::audio_policy(spec);
  return c;
}

void extract_role(RoleInput& role, encoder::Encoder& enc, const fs::path& run_dir, const audit::AuditConfig& config,
                  bool reverse_audio, const ProgressCallback& progress, features::UtteranceSignal* signal) {
  const auto spec = corpus::CorpusSpec::parse(role.input);
  const auto corpus = corpus::load_corpus(spec, progress);
  role.store = role_store_dir(run_dir, role.name, reverse_audio);
  const auto report =
      features::extract_features(corpus, enc, role.store, role_extract_config(config, reverse_audio, spec), progress,
                                 signal);
  role.utterances = report.already_done + report.extracted;
  log_info(role.name + ": " + report.summary());
}

nlohmann::json run_config_json(const std::string& command_line, const std::string& model_path,
                               const std::string& model_fingerprint, bool reverse_audio,
                               const std::vector<RoleInput>& roles, const audit::AuditConfig& config) {
  nlohmann::json corpora;
  for (const auto& r : roles)
    corpora[r.name] = {{"input", r.input}, {"store", r.store.string()},
                       {"utterances_in_store", r.utterances > 0 ? nlohmann::json(r.utterances) : nlohmann::json()}};
  return {{"command", command_line},
          {"seeds", {{"audit", config.seed}, {"improved_utterance", config.improved_utterance.train.seed},
                     {"improved_speaker", config.improved_speaker.train.seed},
                     {"bootstrap", config.metrics.seed}}},
          {"model", {{"path", model_path}, {"fingerprint", model_fingerprint}}},
          {"reverse_audio", reverse_audio},
          {"corpora", corpora},
          {"audit", config.to_json()},
          {"versions", runtime::versions_json()}};
}

}  // namespace speechleak::pipeline
