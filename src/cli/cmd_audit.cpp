// speechleak audit: membership inference against an encoder (or feature stores), at utterance and speaker level,
// basic and improved attacks; prints the paper's Table 1 shape and writes a run directory.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/audit_options.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/audit/run_directory.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/pipeline/audit_pipeline.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {
namespace fs = std::filesystem;

void run(AuditArgs& args) {
  runtime::set_torch_threads(args.threads);
  args.resolve();
  pipeline::AuditJob job;
  job.name = args.name.empty() ? fs::path(args.out).filename().string() : args.name;
  job.run_dir = args.out;
  job.model_path = args.model;
  job.roles = {{"members", args.members, {}, 0}, {"nonmembers", args.nonmembers, {}, 0}, {"aux", args.aux, {}, 0}};
  job.config = args.config;
  job.reverse_audio = args.reverse_audio;
  job.command_line = args.command_line;
  job.references = args.references;
  std::unique_ptr<encoder::Encoder> enc;
  if (!args.model.empty()) {
    encoder::EncoderOptions options;
    options.device = args.device;
    enc = encoder::load_encoder(args.model, options);
  }
  ProgressBar bar;
  pipeline::AuditJobHooks hooks;
  hooks.progress = bar.callback();
  hooks.stage_finished = [&](const std::string&) { bar.finish(); };
  const auto result = pipeline::run_audit_job(job, enc.get(), hooks);
  std::cout << audit::format_table(result.audit);
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
