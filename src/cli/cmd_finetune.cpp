// speechleak finetune: CTC fine-tuning of a pretrained encoder into a character recogniser, written in HF's
// Wav2Vec2ForCTC / HubertForCTC layout (docs/asr.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/config_options.h"
#include "cli/distributed.h"
#include "cli/terminal.h"
#include "speechleak/asr/finetune.h"
#include "speechleak/asr/finetune_presets.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"

namespace speechleak::cli {
namespace {

using asr::FinetuneConfig;

struct FinetuneCli {
  std::string out, preset;
  bool resume = false;
  int threads = 0;
  ConfigOptions<FinetuneConfig> options;
};

void add_ctc_options(CLI::App* cmd, FinetuneCli& cli) {
  auto& o = cli.options;
  o.option<std::string>(cmd, "--dev", "Corpus spec of the dev set: WER/CER after each epoch, best model kept",
                        [](auto& c) -> auto& { return c.dev; });
  o.option<int>(cmd, "--eval-every", "Epochs between dev evaluations (and after the last)",
                [](auto& c) -> auto& { return c.eval_every_epochs; });
  o.option<int>(cmd, "--beam", "Dev decoding: 0 = greedy, N = prefix beam search of width N",
                [](auto& c) -> auto& { return c.eval_beam; });
  o.option<std::string>(cmd, "--oov", "Transcript characters outside the vocabulary: unk ([UNK]) or skip",
                        [](auto& c) -> auto& { return c.oov; });
  o.option<double>(cmd, "--max-seconds", "Longer utterances are skipped (whole utterances are trained on)",
                   [](auto& c) -> auto& { return c.data.max_seconds; });
  o.option<int>(cmd, "--freeze-steps", "Steps with only the CTC head trained (fairseq freeze_finetune_updates)",
                [](auto& c) -> auto& { return c.ctc.freeze_steps; });
  o.option<double>(cmd, "--mask-time-prob", "Share of frames masked, in spans (fairseq mask_prob)",
                   [](auto& c) -> auto& { return c.ctc.mask_time_prob; });
  o.option<int>(cmd, "--mask-time-length", "Frames per time-mask span", [](auto& c) -> auto& { return c.ctc.mask_time_length; });
  o.option<double>(cmd, "--mask-channel-prob", "Share of feature channels zeroed, in spans (fairseq mask_channel_prob)",
                   [](auto& c) -> auto& { return c.ctc.mask_channel_prob; });
  o.option<int>(cmd, "--mask-channel-length", "Channels per channel-mask span",
                [](auto& c) -> auto& { return c.ctc.mask_channel_length; });
  o.option<double>(cmd, "--final-dropout", "Dropout before the CTC head", [](auto& c) -> auto& { return c.ctc.final_dropout; });
}

void print_summary(const asr::FinetuneResult& r) {
  const auto& t = r.metadata["training"];
  std::printf("recogniser: %s (%s)\n", r.out.string().c_str(), r.metadata["model"].get<std::string>().c_str());
  std::printf("data: %zu utterances of %zu speakers, %.1f min of audio; %zu dev utterances\n", r.data.used,
              r.data.speakers, r.data.audio_seconds / 60, r.dev_utterances);
  std::printf("training: step %lld of %lld%s, %.0f s, %.1f s of audio per second; last loss %.4f\n",
              static_cast<long long>(r.position.step), static_cast<long long>(r.total_steps),
              r.finished ? "" : " (stopped early; --resume continues)", r.position.elapsed_s,
              t.value("audio_seconds_per_second", 0.0), r.last.loss);
  if (!r.dev.empty()) {
    std::printf("dev:  epoch    WER     CER\n");
    for (const auto& d : r.dev)
      std::printf("      %5d  %6.2f%%  %6.2f%%%s\n", d.epoch, 100 * d.wer(), 100 * d.cer(),
                  r.best && r.best->step == d.step ? "  <- kept" : "");
  }
}

}  // namespace

void add_finetune_command(CLI::App& app) {
  auto cli = std::make_shared<FinetuneCli>();
  auto model = std::make_shared<std::string>();
  auto corpus = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("finetune", "CTC fine-tuning of a pretrained encoder into a character recogniser "
                                             "(HF Wav2Vec2ForCTC layout; docs/asr.md)");
  cmd->add_option("--model", *model, "Pretrained HF model directory (speechleak pretrain's, or downloaded)")->required();
  cmd->add_option("--corpus", *corpus, "Corpus spec of the labelled training data (docs/corpus-specs.md)")->required();
  cmd->add_option("--out", cli->out, "Output recogniser directory")->required();
  std::string presets;
  for (const auto& p : asr::finetune_presets()) presets += "\n  " + p.name + ": " + p.description;
  cmd->add_option("--preset", cli->preset, "A measured recipe (flags override its fields):" + presets);
  cmd->add_flag("--resume", cli->resume, "Continue the run in --out from its last checkpoint");
  cmd->add_option("--threads", cli->threads, "libtorch threads (0 = all cores)")->capture_default_str();
  add_ctc_options(cmd, *cli);
  add_loop_options(cmd, cli->options);
  cmd->callback([cli, model, corpus] {
    runtime::set_torch_threads(cli->threads);
    FinetuneConfig c;
    if (!cli->preset.empty()) asr::apply_finetune_preset(cli->preset, c);
    cli->options.apply(c);
    c.pretrained = *model;
    c.corpus = *corpus;
    log_info("fine-tuning " + *model + " for " + std::to_string(c.epochs) + " epochs on " + *corpus);
    ProgressBar bar;
    asr::FinetuneOptions options;
    options.resume = cli->resume;
    options.command_line = command_line();
    options.progress = bar.callback();
    options.on_dev = [](const asr::DevResult& d) {
      log_info("dev after epoch " + std::to_string(d.epoch) + ": WER " + text::percent(d.wer(), 2) + ", CER " +
               text::percent(d.cer(), 2));
    };
    options.group = join_launch_group("finetune");
    auto result = asr::run_finetuning(c, cli->out, options);
    bar.finish();
    if (launch_rank() == 0) print_summary(result);
  });
}

}  // namespace speechleak::cli
