// speechleak canaries make | audit | bound: the one-run privacy audit (Steinke et al. 2023; docs/calibrated-attacks.md).
// make writes canaries and their secret inclusion draw, audit scores a model pretrained on the inserted half and
// prints the epsilon lower bound, bound turns any audit's counts into the bound (for pipelines other than ours).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/metrics/one_run_audit.h"
#include "speechleak/pipeline/canary_audit.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/synth/canaries.h"
#include "speechleak/synth/generator.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {
namespace fs = std::filesystem;

struct BoundCli {
  metrics::OneRunCounts counts;
  double delta = 0, p = 0.05;
};

void run_bound(const BoundCli& cli) {
  const double eps = metrics::epsilon_lower_bound(cli.counts, cli.delta, cli.p);
  const double p0 = metrics::one_run_p_value(0.0, cli.counts, cli.delta);
  char line[256];
  std::snprintf(line, sizeof line,
                "epsilon lower bound %.3f (p = %g, delta = %g; %zu canaries, %zu guesses, %zu correct)\n", eps, cli.p,
                cli.delta, cli.counts.canaries, cli.counts.guesses, cli.counts.correct);
  std::cout << line;
  std::snprintf(line, sizeof line, "p-value of 'no leakage' (eps = 0): %.3g%s\n", p0,
                eps == 0 ? ": not rejected, so no evidence of leakage at this level" : "");
  std::cout << line;
}

struct MakeCli {
  synth::SynthConfig config;
  std::string out, unit = "utterance", content = "sentence";
};

void run_make(MakeCli& cli) {
  if (cli.unit != "utterance" && cli.unit != "speaker")
    throw invalid_argument("--unit", "utterance or speaker", "'" + cli.unit + "'");
  cli.config.canaries.per_speaker = cli.unit == "speaker";
  cli.config.canaries.kind = synth::parse_canary_kind(cli.content);
  const auto config = synth::canaries_only(cli.config);
  config.validate();
  ProgressBar bar;
  const auto s = synth::generate_corpus(cli.out, config, bar.callback());
  bar.finish();
  const fs::path out(cli.out);
  std::cout << config.canaries.count << " " << cli.unit << " canaries in " << cli.out << "\n"
            << "  add to the pretraining data: " << (out / "canaries-inserted.tsv").string() << "\n"
            << "  keep secret until the audit: " << (out / "canaries.tsv").string()
            << " (which canaries were inserted)\n"
            << "  then: speechleak canaries audit --model MODEL --canaries " << cli.out << " --out AUDIT_DIR\n";
  if (s.already_complete) log_info(cli.out + " already held these canaries (same options)");
}

struct AuditCli {
  pipeline::CanaryAuditConfig config;
  std::string model, canaries, out, direction = "high", device = "cpu";
  int threads = 0;
};

void run_audit(AuditCli& cli) {
  runtime::set_torch_threads(cli.threads);
  cli.config.direction = parse_score_direction(cli.direction, "--direction");
  cli.config.validate();
  encoder::EncoderOptions eo;
  eo.device = cli.device;
  auto enc = encoder::load_encoder(cli.model, eo);
  ProgressBar bar;
  const auto r = pipeline::run_canary_audit(*enc, cli.model, cli.canaries, cli.out, cli.config, bar.callback());
  bar.finish();
  std::cout << r.summary();
  log_info("scores and record: " + cli.out);
}

}  // namespace

void add_canaries_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("canaries", "One-run privacy audits with canaries (docs/calibrated-attacks.md)");
  cmd->require_subcommand(1);
  auto cli = std::make_shared<BoundCli>();
  auto* bound = cmd->add_subcommand(
      "bound", "Epsilon lower bound from a canary audit: m canaries each included with probability 1/2, r guesses "
               "(k+ 'in' and k- 'out', fixed in advance), v of them correct");
  bound->add_option("--canaries", cli->counts.canaries, "m: canaries drawn, included or not")->required();
  bound->add_option("--guesses", cli->counts.guesses, "r = k+ + k-: canaries guessed (the rest abstained)")
      ->required();
  bound->add_option("--correct", cli->counts.correct, "v: correct guesses")->required();
  bound->add_option("--delta", cli->delta, "delta of the (eps, delta)-DP hypothesis")->capture_default_str();
  bound->add_option("--p", cli->p, "significance level")->capture_default_str();
  bound->callback([cli] { run_bound(*cli); });

  auto make = std::make_shared<MakeCli>();
  auto& mc = make->config;
  mc.seed = 1;
  mc.canaries.count = 100;
  auto* mk = cmd->add_subcommand("make", "Write canaries (synthetic utterances or speakers), each drawn into the "
                                         "inserted half with probability 1/2, and the secret draw");
  mk->add_option("--out", make->out, "Canary directory (built in <out>.partial)")->required();
  mk->add_option("--count", mc.canaries.count, "m: canaries (utterances, or speakers with --unit speaker)")
      ->capture_default_str();
  mk->add_option("--unit", make->unit, "utterance, or speaker (a new voice per canary, inserted whole)")
      ->capture_default_str();
  mk->add_option("--utts-per-speaker", mc.canaries.utts_per_speaker, "Utterances per speaker canary")
      ->capture_default_str();
  mk->add_option("--repeats", mc.canaries.repeats, "Renderings of each inserted canary in the training data")
      ->capture_default_str();
  mk->add_option("--content", make->content, "sentence (grammar sentences with a fresh name) or random-words")
      ->capture_default_str();
  mk->add_option("--new-speakers", mc.canaries.new_speakers, "Voices speaking utterance canaries")
      ->capture_default_str();
  mk->add_option("--min-words", mc.sentences.min_words, "Shortest canary sentence")->capture_default_str();
  mk->add_option("--max-words", mc.sentences.max_words, "Longest canary sentence")->capture_default_str();
  mk->add_option("--seed", mc.seed, "Seed of the canaries and of the inclusion draw")->capture_default_str();
  mk->callback([make] { run_make(*make); });

  auto audit = std::make_shared<AuditCli>();
  auto& ac = audit->config;
  auto* au = cmd->add_subcommand("audit", "Score the canaries with a model pretrained on the inserted half: "
                                          "epsilon lower bound and exposure");
  au->add_option("--model", audit->model, "The model (HF directory or TorchScript)")->required();
  au->add_option("--canaries", audit->canaries, "The canary directory (speechleak canaries make)")->required()
      ->check(CLI::ExistingDirectory);
  au->add_option("--out", audit->out, "Output directory: scores.tsv, canary_audit.json, features/")->required();
  au->add_option("--signal", ac.signal, "pretext (the model's pretraining head; speechleak's own models), basic, "
                                        "or auto")
      ->capture_default_str();
  au->add_option("--direction", audit->direction, "Basic signal only: high (members score higher) or low; fix it "
                                                  "before looking, like the guesses")
      ->capture_default_str();
  au->add_option("--guess-fraction", ac.guess_fraction, "k+ = k- = this share of the canaries")->capture_default_str();
  au->add_option("--guesses-in", ac.guesses_in, "k+: canaries guessed inserted (overrides --guess-fraction)");
  au->add_option("--guesses-out", ac.guesses_out, "k-: canaries guessed held out (overrides --guess-fraction)");
  au->add_option("--delta", ac.delta, "delta of the (eps, delta)-DP hypothesis")->capture_default_str();
  au->add_option("--p", ac.p, "significance level")->capture_default_str();
  au->add_option("--seed", ac.seed, "Seed of the pretext signal's masks")->capture_default_str();
  au->add_option("--layer", ac.layer, "Basic signal: hidden state (default: last)");
  au->add_option("--threads", audit->threads, "libtorch threads (0 = all cores)")->capture_default_str();
  au->add_option("--device", audit->device, "cpu, cuda or cuda:N")->capture_default_str();
  au->callback([audit] { run_audit(*audit); });
}

}  // namespace speechleak::cli
