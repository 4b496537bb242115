// speechleak noise-mask: the noise-masking attack (mask a name in the audio, let a CTC recogniser fill it in) on
// target utterances and a control set; a run directory with per-trial outcomes and summary.json, the table on
// stdout (docs/noise-masking.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/asr/ctc_model.h"
#include "speechleak/corpus/load.h"
#include "speechleak/noise_masking/study.h"
#include "speechleak/report/html_report.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::cli {
namespace {

struct NoiseMaskCli {
  std::string asr, paired_asr, targets, control, names, out, fill = "white";
  std::string taus, thetas;
  int threads = 0;
  noise_masking::NoiseMaskConfig config;
};

std::vector<double> parse_grid(const std::string& s, const std::string& option) {
  std::vector<double> out;
  for (const auto& part : text::split(s, ','))
    if (!text::trim(part).empty()) out.push_back(text::parse_double(text::trim(part), option));
  return out;
}

noise_masking::Recogniser load_recogniser(const std::string& dir, const std::string& label) {
  auto loaded = asr::load_ctc_directory(dir);
  return {loaded.model, loaded.do_normalize, label};
}

corpus::Corpus load(const std::string& spec_text, ProgressBar& bar) {
  const auto spec = corpus::CorpusSpec::parse(spec_text);
  auto c = corpus::load_corpus(spec, bar.callback());
  bar.finish();
  return c;
}

}  // namespace

void add_noise_mask_command(CLI::App& app) {
  auto cli = std::make_shared<NoiseMaskCli>();
  auto& c = cli->config;
  auto* cmd = app.add_subcommand("noise-mask", "Noise-masking attack: recover names masked in pretraining audio, "
                                               "against a control (docs/noise-masking.md)");
  cmd->add_option("--asr", cli->asr, "CTC recogniser fine-tuned from the audited encoder (speechleak finetune)")
      ->required();
  cmd->add_option("--targets", cli->targets, "Corpus spec: pretraining utterances that mention names")->required();
  cmd->add_option("--control", cli->control, "Corpus spec: utterances of the same kind the encoder never saw")
      ->required();
  cmd->add_option("--names", cli->names, "Name inventory: names.tsv or one name per line (default: names.tsv next "
                                         "to the targets)");
  cmd->add_option("--out", cli->out, "Run directory to write")->required();
  cmd->add_option("--paired-asr", cli->paired_asr, "Paired control: a recogniser from an encoder pretrained "
                                                   "without the targets, fine-tuned identically");
  cmd->add_option("--fill", cli->fill, "silence, white, speech-shaped, or mask-embedding (the span's frames get the "
                                       "encoder's learned mask vector: the upper bound)")
      ->capture_default_str();
  cmd->add_option("--level", c.level, "Noise RMS relative to the utterance's speech RMS")->capture_default_str();
  cmd->add_option("--pad", c.pad_s, "Seconds masked before and after the name's aligned span")->capture_default_str();
  cmd->add_option("--draws", c.draws, "Noise draws per utterance (the most frequent guess counts)")->capture_default_str();
  cmd->add_option("--seed", c.seed, "Seed of the noise")->capture_default_str();
  cmd->add_option("--beam", c.decode.beam, "0 = greedy; N = CTC prefix beam search of width N (never an LM)")
      ->capture_default_str();
  cmd->add_flag("!--no-unmasked", c.unmasked, "Skip recognising the unmasked audio (its WER/CER and name rate)");
  cmd->add_option("--taus", cli->taus, "Context-WER thresholds of the filter sweep, comma-separated (default "
                                       "0,0.1,0.2,0.3,0.5,1)");
  cmd->add_option("--thetas", cli->thetas, "Slot-confidence thresholds, comma-separated (default "
                                           "0,0.3,0.5,0.7,0.8,0.9,0.95)");
  cmd->add_option("--max-batch-size", c.batch.max_batch_size, "Utterances per forward pass")->capture_default_str();
  cmd->add_option("--threads", cli->threads, "libtorch threads (0 = all cores)")->capture_default_str();
  cmd->callback([cli] {
    auto& c = cli->config;
    c.fill = noise_masking::parse_fill(cli->fill);
    if (!cli->taus.empty()) c.taus = parse_grid(cli->taus, "--taus");
    if (!cli->thetas.empty()) c.thetas = parse_grid(cli->thetas, "--thetas");
    c.validate();
    runtime::set_torch_threads(cli->threads);
    ProgressBar bar;
    auto targets = load(cli->targets, bar);
    auto control = load(cli->control, bar);
    c.audio_policy = corpus::audio_policy(corpus::CorpusSpec::parse(cli->targets));
    const auto names_path = corpus::resolve_names_file(cli->names, corpus::CorpusSpec::parse(cli->targets));
    const auto names = corpus::NameList::load(names_path);
    noise_masking::StudyInputs in{&targets, &control, &names, load_recogniser(cli->asr, "target model"), {}};
    if (!cli->paired_asr.empty()) in.paired = load_recogniser(cli->paired_asr, "paired model");
    auto result = noise_masking::run_study(in, c, bar.callback());
    bar.finish();
    for (const auto& rep : result.reports) {
      log_info(rep.summary());
      for (const auto& s : rep.plan.skipped.items) log_warn("  " + s.id + ": " + s.reason);
      for (const auto& s : rep.skipped.items) log_warn("  " + s.id + ": " + s.reason);
      if (rep.unspellable)
        log_warn(std::to_string(rep.unspellable) + " " + rep.set + " trials have a name the recogniser's vocabulary "
                 "cannot spell: the attack cannot succeed there");
    }
    const auto config = noise_masking::study_config(command_line(), cli->asr, cli->paired_asr, in, c);
    noise_masking::write_study_directory(cli->out, result, c, config);
    const auto html = report::write_report_or_warn({cli->out}, rundir::report_file(cli->out));
    std::fputs(noise_masking::format_table(result).c_str(), stdout);
    log_info("wrote " + cli->out + " (summary.json, noise-masking/outcomes.tsv" + (html ? ", report.html" : "") + ")");
  });
}

}  // namespace speechleak::cli
