// speechleak: measure what a self-supervised speech model leaks about its training data.
// This file only assembles the subcommands; each lives in cmd_<name>.cpp.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <csignal>
#include <exception>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/distributed.h"
#include "cli/terminal.h"
#include "speechleak/runtime/allocator.h"
#include "speechleak/util/error.h"
#include "speechleak/util/interrupt.h"

namespace {

// First SIGINT/SIGTERM: ask the running loop to stop at its next resumable point; the handler resets itself, so a
// second one ends the process at once.
void on_stop_signal(int signal) {
  speechleak::request_interrupt(signal);
  const char msg[] = "\nspeechleak: stopping at the next resumable point (send the signal again to stop at once)\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESETHAND;  // not SA_RESTART: a blocking wait() returns EINTR and looks at the request
  sigemptyset(&sa.sa_mask);
  for (int signal : {SIGINT, SIGTERM}) {
    struct sigaction inherited {};
    sigaction(signal, nullptr, &inherited);
    // A shell starts background jobs of a script with SIGINT ignored so that Ctrl-C is not for them: keep that.
    if (inherited.sa_handler != SIG_IGN) sigaction(signal, &sa, nullptr);
  }
  // A file-size limit (ulimit -f) must fail the write with EFBIG, which names the file, not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
}

int report_interrupted(int signal, const std::string& detail) {
  std::cerr << speechleak::cli::rank_prefix() << "error: interrupted by " << speechleak::signal_name(signal)
            << (detail.empty() ? "" : " (" + detail + ")")
            << "; the work finished so far is kept: run the same command again to continue (pretrain and finetune: "
               "add --resume)\n";
  return 128 + signal;
}

}  // namespace

int main(int argc, char** argv) {
  speechleak::runtime::keep_tensor_memory_in_heap();  // large tensors reused, not page-faulted in every step
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
  speechleak::cli::add_launch_command(app);
  speechleak::cli::add_store_command(app);
  install_signal_handlers();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // A command line CLI11 cannot parse is the user's to fix, like every other bad argument: "error: ...", exit 1
    // (CLI11's own codes, 105-114, would read as something else to a script).
    std::cerr << "error: " << e.what() << "\nRun with --help for more information.\n";
    return 1;
  } catch (const speechleak::Interrupted& e) {
    return report_interrupted(e.signal(), "");
  } catch (const speechleak::Error& e) {
    // A child process (espeak-ng, a reference run) that got the same Ctrl-C fails first: still an interruption.
    if (const int signal = speechleak::interrupt_requested()) return report_interrupted(signal, e.what());
    std::cerr << speechleak::cli::rank_prefix() << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // The system refused a path (not a directory, read-only, no space): the user's to fix, and e names the path.
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 2;
  }
  // A run that finished its last loop after the signal came has nothing left to resume.
  return 0;
}
