// speechleak audit: membership inference against an encoder (or feature stores), at utterance and speaker level,
// basic and improved attacks; prints the paper's Table 1 shape and writes a run directory.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/audit_options.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/audit/audit.h"
#include "speechleak/audit/model_inputs.h"
#include "speechleak/audit/run_directory.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {
namespace fs = std::filesystem;

void run(AuditArgs& args) {
  runtime::set_torch_threads(args.threads);
  args.resolve();
  std::vector<audit::RoleInput> roles{{"members", args.members, {}, 0}, {"nonmembers", args.nonmembers, {}, 0},
                                      {"aux", args.aux, {}, 0}};
  std::string description;
  ProgressBar bar;
  if (!args.model.empty()) {
    encoder::EncoderOptions options;
    options.device = args.device;
    auto enc = encoder::load_encoder(args.model, options);
    description = enc->metadata().description();
    for (auto& r : roles) {
      audit::extract_role(r, *enc, args.out, args.config, args.reverse_audio, bar.callback());
      bar.finish();
    }
  } else {
    for (auto& r : roles) r.store = r.input;
  }
  auto result = audit::run_audit({roles[0].store, roles[1].store, roles[2].store}, args.config, bar.callback());
  bar.finish();
  audit::RunInfo info{args.name.empty() ? fs::path(args.out).filename().string() : args.name, args.model, description,
                      audit::run_config_json(args.command_line, args.model, result.model_fingerprint,
                                             args.reverse_audio, roles, args.config)};
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
