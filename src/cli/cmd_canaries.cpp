// speechleak canaries bound: the one-run epsilon lower bound (Steinke et al. 2023) from a canary audit's counts,
// for anyone auditing a pipeline, speechleak's or not (docs/calibrated-attacks.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "speechleak/metrics/one_run_audit.h"

namespace speechleak::cli {
namespace {

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
}

}  // namespace speechleak::cli
