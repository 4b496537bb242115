#pragma once
// Every subcommand lives in its own file (cmd_<name>.cpp) and registers itself on the app here.
// A command parses and validates its options, calls the library, and prints: data to stdout or files,
// progress and diagnostics to stderr.
namespace CLI {
class App;
}

namespace speechleak::cli {

void add_corpus_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_extract_command(CLI::App& app);
void add_audit_command(CLI::App& app);
void add_pretrain_command(CLI::App& app);
void add_finetune_command(CLI::App& app);
void add_transcribe_command(CLI::App& app);
void add_noise_mask_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_experiment_command(CLI::App& app);
void add_canaries_command(CLI::App& app);
void add_references_command(CLI::App& app);
void add_launch_command(CLI::App& app);
void add_store_command(CLI::App& app);

}  // namespace speechleak::cli
