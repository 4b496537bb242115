// speechleak pretrain: self-supervised pretraining (HuBERT, wav2vec 2.0 or TERA objective) of a wav2vec 2.0-architecture
// encoder, with pretraining-time defenses (docs/pretraining.md). Writes an HF model directory that every other
// command loads.
#include <algorithm>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/config_options.h"
#include "cli/distributed.h"
#include "cli/terminal.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/train/presets.h"
#include "speechleak/train/pretrain.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::cli {
namespace {

using train::PretrainConfig;

struct PretrainCli {
  std::string out, preset, noise_snr;
  bool resume = false;
  int threads = 0;
  ConfigOptions<PretrainConfig> options;
};

void add_training_options(CLI::App* cmd, PretrainCli& cli) {
  auto& o = cli.options;
  o.option<std::string>(cmd, "--arch", "tiny, mini, small, base, or an HF config.json", [](auto& c) -> auto& { return c.arch; });
  o.option<std::string>(cmd, "--objective", "hubert (masked prediction of k-means targets), wav2vec2 "
                                            "(contrastive, against quantised features) or tera (reconstruction of "
                                            "altered log-mel frames; a TERA model)",
                        [](auto& c) -> auto& { return c.objective; });
  add_loop_options(cmd, o);
  o.option<double>(cmd, "--max-seconds", "Longer utterances are randomly cropped to this (seeded per epoch)",
                   [](auto& c) -> auto& { return c.data.max_seconds; });
  o.option<std::string>(cmd, "--normalization", "zero-mean-unit-var or none (saved as do_normalize)",
                        [](auto& c) -> auto& { return c.data.normalization; });
  o.option<int>(cmd, "--clusters", "hubert: k-means clusters of the MFCC targets",
                [](auto& c) -> auto& { return c.hubert.kmeans.clusters; });
  o.option<std::string>(cmd, "--target-scope", "hubert: global (HuBERT's), speaker or utterance: one codebook per "
                                               "group (a memorisation amplifier, docs/pretraining.md)",
                        [](auto& c) -> auto& { return c.hubert.kmeans.scope; });
  // Masking and the gradient scale belong to the objective chosen: applied after --objective (declaration order),
  // they set the active objective's fields.
  o.option<double>(cmd, "--mask-prob", "Probability that a frame starts a masked span (HuBERT: 0.08; wav2vec2: "
                                       "0.065; tera: 0.15/7)",
                   [](auto& c) -> auto& { return c.masking().prob; });
  o.option<int>(cmd, "--mask-span", "Frames per masked span (HuBERT, wav2vec2: 10; tera: 7)",
                [](auto& c) -> auto& { return c.masking().span; });
  o.option<double>(cmd, "--feature-grad-mult", "Gradient scale into the conv extractor (HuBERT: 1; wav2vec2: 0.1; "
                                               "both papers' base models: 0.1)",
                   [](auto& c) -> auto& { return c.feature_grad_mult(); });
  o.option<std::string>(cmd, "--head", "hubert: cosine (HuBERT's) or linear",
                        [](auto& c) -> auto& { return c.hubert.head.head; });
  o.option<double>(cmd, "--unmasked-weight", "hubert: weight of the loss on unmasked frames (HuBERT: 0)",
                   [](auto& c) -> auto& { return c.hubert.head.unmasked_weight; });
  o.option<int>(cmd, "--codebook-groups", "wav2vec2: quantiser codebooks G (2)",
                [](auto& c) -> auto& { return c.wav2vec2.quantizer.groups; });
  o.option<int>(cmd, "--codebook-entries", "wav2vec2: entries per codebook V (320)",
                [](auto& c) -> auto& { return c.wav2vec2.quantizer.entries; });
  o.option<double>(cmd, "--gumbel-anneal", "wav2vec2: reach the final Gumbel temperature after this share of the "
                                          "steps (0 = decay 0.999995 per step, the BASE recipe's)",
                   [](auto& c) -> auto& { return c.wav2vec2.quantizer.gumbel_anneal_fraction; });
  o.option<int>(cmd, "--negatives", "wav2vec2: distractors per masked frame, from the same utterance (100)",
                [](auto& c) -> auto& { return c.wav2vec2.loss.negatives; });
  o.option<double>(cmd, "--diversity-weight", "wav2vec2: weight of the codebook diversity loss (0.1)",
                   [](auto& c) -> auto& { return c.wav2vec2.loss.diversity_weight; });
  o.option<double>(cmd, "--feature-penalty", "wav2vec2: weight of the squared conv feature penalty (10)",
                   [](auto& c) -> auto& { return c.wav2vec2.loss.feature_penalty; });
  o.option<double>(cmd, "--frequency-mask", "tera: widest zeroed band, as a share of the mel bands (0.2; 0 = off)",
                   [](auto& c) -> auto& { return c.tera.frequency_max; });
  o.option<double>(cmd, "--magnitude-noise", "tera: probability of Gaussian noise on an utterance's input (0.15)",
                   [](auto& c) -> auto& { return c.tera.noise_probability; });
}

void add_defense_options(CLI::App* cmd, PretrainCli& cli) {
  cli.options.flag(cmd, "--reverse-audio", "Defense: train on time-reversed waveforms",
       [](auto& c) -> auto& { return c.defenses.reverse_audio; });
  cli.options.flag(cmd, "--noise-augment", "Defense: multi-style training with additive noise",
       [](auto& c) -> auto& { return c.defenses.noise_augment; });
  cmd->add_option("--noise-snr", cli.noise_snr, "SNR range MIN:MAX dB of --noise-augment (default 5:20)");
  cli.options.option<std::string>(cmd, "--noise-type", "white or speech-shaped", [](auto& c) -> auto& { return c.defenses.noise_type; });
  cli.options.option<double>(cmd, "--noise-prob", "Share of utterances noised per epoch", [](auto& c) -> auto& { return c.defenses.noise_prob; });
  cli.options.flag(cmd, "--silence-names", "Defense: replace the aligned audio of name mentions by silence",
       [](auto& c) -> auto& { return c.defenses.silence_names; });
  cli.options.flag(cmd, "--sanitize-names", "Defense: drop utterances whose transcript mentions a name",
       [](auto& c) -> auto& { return c.defenses.sanitize_names; });
  cli.options.option<std::string>(cmd, "--names", "names.tsv of the synthetic corpus or a list of names (default: "
                                           "names.tsv at the corpus root)",
                      [](auto& c) -> auto& { return c.defenses.names; });
}

PretrainConfig resolve(PretrainCli& cli, const std::string& corpus) {
  PretrainConfig c;
  if (!cli.preset.empty()) train::apply_training_preset(cli.preset, c);
  cli.options.apply(c);
  c.corpus = corpus;
  c.model = train::resolve_arch(c.arch, c.objective);
  if (!cli.noise_snr.empty()) {
    auto parts = text::split(cli.noise_snr, ':');
    if (parts.size() != 2) throw invalid_argument("--noise-snr", "MIN:MAX in dB, e.g. 5:20", "'" + cli.noise_snr + "'");
    c.defenses.snr_min_db = text::parse_double(parts[0], "--noise-snr");
    c.defenses.snr_max_db = text::parse_double(parts[1], "--noise-snr");
  }
  c.validate();
  return c;
}

// "masked_accuracy" -> "masked accuracy"
std::string label(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

void print_summary(const train::PretrainResult& r) {
  const auto& t = r.metadata["training"];
  std::printf("model: %s\n", r.out.string().c_str());
  std::printf("data: %zu utterances of %zu speakers, %.1f min of audio", r.data.used, r.data.speakers,
              r.data.audio_seconds / 60);
  if (r.data.sanitized_dropped) std::printf("; %zu utterances dropped by --sanitize-names", r.data.sanitized_dropped);
  if (r.data.silenced_spans)
    std::printf("; %zu name spans (%.1f s) silenced in %zu utterances", r.data.silenced_spans,
                r.data.silenced_seconds, r.data.silenced_utterances);
  std::printf("\ntraining: step %lld of %lld%s, %.0f s, %.1f s of audio per second\n",
              static_cast<long long>(r.position.step), static_cast<long long>(r.total_steps),
              r.finished ? "" : " (stopped early; --resume continues)", r.position.elapsed_s,
              t.value("audio_seconds_per_second", 0.0));
  std::printf("last step: loss %.4f", r.last.loss);
  for (const auto& [name, value] : r.last.metrics)
    if (name.ends_with("accuracy")) std::printf(", %s %.3f", label(name).c_str(), value);
  std::printf("\n");
}

}  // namespace

void add_pretrain_command(CLI::App& app) {
  auto cli = std::make_shared<PretrainCli>();
  auto corpus = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("pretrain", "Self-supervised pretraining (HuBERT, wav2vec 2.0 or TERA objective) with "
                                             "pretraining-time defenses; writes an HF model directory "
                                             "(docs/pretraining.md)");
  cmd->add_option("--corpus", *corpus, "Corpus spec of the pretraining data (docs/corpus-specs.md)")->required();
  cmd->add_option("--out", cli->out, "Output model directory")->required();
  std::string presets;
  for (const auto& p : train::training_presets()) presets += "\n  " + p.name + ": " + p.description;
  cmd->add_option("--preset", cli->preset, "A measured recipe (flags override its fields):" + presets);
  cmd->add_flag("--resume", cli->resume, "Continue the run in --out from its last checkpoint");
  cmd->add_option("--threads", cli->threads, "libtorch threads (0 = all cores)")->capture_default_str();
  add_training_options(cmd, *cli);
  add_defense_options(cmd, *cli);
  cmd->callback([cli, corpus] {
    runtime::set_torch_threads(cli->threads);
    auto config = resolve(*cli, *corpus);
    log_info("pretraining " + config.arch + " (" + std::to_string(config.model.parameter_count()) +
             " parameters) for " + std::to_string(config.epochs) + " epochs" +
             (config.defenses.any() ? "; defenses: " + text::join(config.defenses.active(), ", ") : ""));
    ProgressBar bar;
    train::PretrainOptions options;
    options.resume = cli->resume;
    options.command_line = command_line();
    options.progress = bar.callback();
    options.group = join_launch_group("pretrain");
    auto result = train::run_pretraining(config, cli->out, options);
    bar.finish();
    if (launch_rank() == 0) print_summary(result);
  });
}

}  // namespace speechleak::cli
