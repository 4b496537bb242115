// speechleak audit: membership inference against an encoder (or feature stores), at utterance and speaker level,
// basic and improved attacks; prints the paper's Table 1 shape and writes a run directory.
#include <CLI/CLI.hpp>
#include <torch/version.h>

#include <iostream>
#include <memory>

#include "cli/audit_options.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/audit/audit.h"
#include "speechleak/audit/run_directory.h"
#include "speechleak/corpus/load.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/extract.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {
namespace fs = std::filesystem;

struct Role {
  std::string name, input;  // input: a corpus spec (with --model) or a feature store
  fs::path store;
  size_t utterances = 0;
};

// Extracts one role's corpus into OUT/features/<role> (resuming what an earlier run left).
void extract_role(Role& role, encoder::Encoder& enc, const AuditArgs& args, ProgressBar& bar) {
  auto spec = corpus::CorpusSpec::parse(role.input);
  auto corpus = corpus::load_corpus(spec, bar.callback());
  bar.finish();
  features::ExtractConfig config;
  if (args.config.layer >= 0) config.layers = {args.config.layer};
  config.frames = args.config.wants("utterance", "improved") || args.config.wants("speaker", "improved");
  config.reverse_audio = args.reverse_audio;
  config.audio_policy = corpus::audio_policy(spec);
  role.store = fs::path(args.out) / "features" / (role.name + (args.reverse_audio ? "-reversed" : ""));
  auto report = features::extract_features(corpus, enc, role.store, config, bar.callback());
  bar.finish();
  role.utterances = report.already_done + report.extracted;
  log_info(role.name + ": " + report.summary());
}

nlohmann::json config_json(const AuditArgs& args, const std::vector<Role>& roles, const std::string& fingerprint) {
  nlohmann::json corpora;
  for (const auto& r : roles)
    corpora[r.name] = {{"input", r.input}, {"store", r.store.string()},
                       {"utterances_in_store", r.utterances > 0 ? nlohmann::json(r.utterances) : nlohmann::json()}};
  return {{"command", args.command_line},
          {"seeds", {{"audit", args.config.seed}, {"improved_utterance", args.config.improved_utterance.train.seed},
                     {"improved_speaker", args.config.improved_speaker.train.seed},
                     {"bootstrap", args.config.metrics.seed}}},
          {"model", {{"path", args.model}, {"fingerprint", fingerprint}}},
          {"reverse_audio", args.reverse_audio},
          {"corpora", corpora},
          {"audit", args.config.to_json()},
          {"versions", {{"speechleak", SPEECHLEAK_VERSION}, {"libtorch", TORCH_VERSION}}}};
}

void run(AuditArgs& args) {
  runtime::set_torch_threads(args.threads);
  args.resolve();
  std::vector<Role> roles{{"members", args.members, {}, 0}, {"nonmembers", args.nonmembers, {}, 0},
                          {"aux", args.aux, {}, 0}};
  std::string description;
  ProgressBar bar;
  if (!args.model.empty()) {
    auto enc = encoder::load_encoder(args.model, encoder::EncoderOptions{});
    description = enc->metadata().description();
    for (auto& r : roles) extract_role(r, *enc, args, bar);
  } else {
    for (auto& r : roles) r.store = r.input;
  }
  auto result = audit::run_audit({roles[0].store, roles[1].store, roles[2].store}, args.config, bar.callback());
  bar.finish();
  audit::RunInfo info{args.name.empty() ? fs::path(args.out).filename().string() : args.name, args.model, description,
                      config_json(args, roles, result.model_fingerprint)};
  audit::write_run_directory(args.out, result, info);
  std::cout << audit::format_table(result);
  write_report_if_possible(args.out);
  log_info("run directory: " + args.out);
}

}  // namespace

void add_audit_command(CLI::App& app) {
  auto args = std::make_shared<AuditArgs>();
  auto* cmd = app.add_subcommand("audit", "Membership inference: basic and improved attacks at utterance and speaker "
                                          "level (docs/membership-inference.md)");
  add_audit_options(*cmd, *args);
  cmd->callback([args] { run(*args); });
}

}  // namespace speechleak::cli
