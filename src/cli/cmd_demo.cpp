// speechleak demo: the whole pipeline without user data (docs/demo.md): synthesise a corpus, pretrain a small model
// on part of it, audit the model for membership leakage, and explain the table it prints.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/demo/demo.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {

struct DemoCli {
  std::string out = "speechleak-demo";
  std::string preset = "quick";
  int threads = 0;
};

std::string stage_time(const nlohmann::json& timings, const std::string& stage) {
  return format_duration(timings.value(stage, 0.0));
}

void print_explanation(const demo::DemoResult& r) {
  const auto& t = r.timings;
  std::cout
      << "\nHow to read this\n"
         "  Each row is one membership-inference attack against the model pretrained on the corpus's 'pretrain'\n"
         "  speakers (members), scored on them and on the unseen 'heldout' speakers (non-members).\n"
         "  AUC: the chance that a random member scores above a random non-member. 0.5 = chance (no leakage\n"
         "  measured), 1.0 = perfect separation; [95% CI] is a bootstrap interval: a row whose interval contains\n"
         "  0.5 shows no evidence of leakage at this size.\n"
         "  TPR@1% / TPR@0.1%: share of members found while wrongly flagging at most 1% / 0.1% of non-members\n"
         "  (with few non-members these are coarse or 0).\n"
         "  n+/n-: members / non-members evaluated (speakers held out to calibrate the direction are not counted).\n"
         "  direction: which end of the raw score means 'member': high (the paper's rule) or low, chosen on the\n"
         "  held-out calibration speakers. Improved attacks output 'seen' logits, so they always read high.\n\n"
      << "Files\n"
      << "  run directory  " << r.run_dir.string() << "  (summary.json, scores/, roc/; docs/run-directory.md)\n"
      << "  report         " << (r.report.empty() ? std::string("(not written; see the warning above)")
                                                  : r.report.string())
      << "\n"
      << "  demo record    " << (r.out / "demo.json").string() << "\n"
      << "  corpus         " << r.corpus_dir.string() << (r.corpus_reused ? "  (reused)" : "") << "\n"
      << "  model          " << r.model_dir.string() << (r.model_reused ? "  (reused)" : "") << "\n\n"
      << "Wall time: corpus " << stage_time(t, "corpus") << (r.corpus_reused ? " (cached)" : "") << ", pretraining "
      << stage_time(t, "pretrain") << (r.model_reused ? " (cached)" : "") << ", features "
      << stage_time(t, "features") << ", audit " << stage_time(t, "audit") << ", report " << stage_time(t, "report")
      << "; total " << stage_time(t, "total") << "\n\n"
      << "The audit step alone, on this corpus and model (same numbers; it writes another run directory):\n  "
      << r.audit_command << "\n";
}

void run(const DemoCli& cli) {
  const auto preset = demo::demo_preset(cli.preset);
  log_info("speechleak demo, preset " + preset.name + ": " + preset.description);
  ProgressBar bar;
  demo::DemoOptions options;
  options.progress = bar.callback();
  options.on_stage = [&bar](const std::string& stage) {
    bar.finish();
    log_info(stage);
  };
  options.threads = cli.threads;
  options.command_line = command_line();
  const auto result = demo::run_demo(preset, cli.out, options);
  bar.finish();
  std::cout << "\nMembership inference against the demo model (preset " << preset.name << ")\n\n"
            << audit::format_table(result.audit);
  print_explanation(result);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto cli = std::make_shared<DemoCli>();
  auto* cmd = app.add_subcommand("demo", "An end-to-end audit without user data: synthetic corpus, pretraining, "
                                         "membership inference, report (docs/demo.md)");
  std::string presets;
  for (const auto& name : demo::demo_preset_names())
    presets += "\n  " + name + ": " + demo::demo_preset(name).description;
  cmd->add_option("--out", cli->out, "Output directory (corpus, models, run, demo.json; reused when run again)")
      ->capture_default_str();
  cmd->add_option("--preset", cli->preset, "Size of the demo:" + presets)->capture_default_str();
  cmd->add_option("--threads", cli->threads, "libtorch threads (0 = all cores)")->capture_default_str();
  cmd->callback([cli] { run(*cli); });
}

}  // namespace speechleak::cli
