// speechleak: measure what a self-supervised speech model leaks about its training data.
// This file only assembles the subcommands; each lives in cmd_<name>.cpp.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/util/error.h"

int main(int argc, char** argv) {
  CLI::App app{"speechleak: membership inference and data-extraction audits of self-supervised speech encoders"};
  app.set_version_flag("--version", std::string("speechleak ") + SPEECHLEAK_VERSION);
  app.require_subcommand(1);
  speechleak::cli::set_command_line(argc, argv);
  speechleak::cli::add_global_options(app);
  speechleak::cli::add_corpus_command(app);
  speechleak::cli::add_synth_command(app);
  speechleak::cli::add_model_command(app);
  speechleak::cli::add_extract_command(app);
  speechleak::cli::add_audit_command(app);
  speechleak::cli::add_pretrain_command(app);
  speechleak::cli::add_finetune_command(app);
  speechleak::cli::add_transcribe_command(app);
  speechleak::cli::add_noise_mask_command(app);
  speechleak::cli::add_report_command(app);
  speechleak::cli::add_demo_command(app);
  speechleak::cli::add_experiment_command(app);
  speechleak::cli::add_canaries_command(app);
  speechleak::cli::add_references_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const speechleak::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
