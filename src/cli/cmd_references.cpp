// speechleak references train: reference encoders for the calibrated attacks (LiRA, RMIA), N pretraining runs with
// the target's recipe on seeded subsets and a keep matrix (docs/calibrated-attacks.md). --jobs J trains J runs at a
// time in child processes of this program (each `--run K`), so a multi-core machine trains several small models at
// once; without it the runs train one after the other. Finished runs are reused, interrupted ones resumed. In a
// launch of N processes (speechleak launch, torchrun, srun), rank r trains runs r, r + N, ... after rank 0 wrote the
// plan: reference runs are independent, so they spread over machines without any collective.
#include <CLI/CLI.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <map>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/references/reference_runs.h"
#include "speechleak/runtime/distributed_env.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/error.h"
#include "speechleak/util/interrupt.h"
#include "speechleak/util/log.h"

extern char** environ;

namespace speechleak::cli {
namespace {
namespace fs = std::filesystem;

struct TrainCli {
  references::ReferencesConfig config;
  std::string unit = "speaker", out;
  std::vector<int> runs_to_train;
  int threads = 0, jobs = 1;
};

// The arguments of one child: this command line without --jobs/--threads/--run, plus its own.
std::vector<std::string> child_args(const TrainCli& cli, int run, int threads) {
  std::vector<std::string> a = {"/proc/self/exe", "--quiet", "references", "train",
                                "--recipe", cli.config.recipe, "--candidates", cli.config.candidates,
                                "--runs", std::to_string(cli.config.runs), "--unit", cli.unit,
                                "--population-fraction", std::to_string(cli.config.population_fraction),
                                "--seed", std::to_string(cli.config.seed), "--device", cli.config.device,
                                "--out", cli.out, "--run", std::to_string(run), "--threads", std::to_string(threads)};
  if (!cli.config.population.empty()) a.insert(a.end(), {"--population", cli.config.population});
  if (cli.config.offline) a.push_back("--offline");
  return a;
}

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ) != 0)
    throw Error("could not start a child process for reference run " + args.back());
  return pid;
}

// Passes SIGTERM on to the children (each saves a checkpoint and exits) and waits for them, then stops. A Ctrl-C
// reached the children already (one process group); a second SIGINT would end them before their checkpoint.
[[noreturn]] void stop_children(const std::map<pid_t, int>& running, int signal) {
  if (signal != SIGINT)
    for (const auto& [pid, run] : running) ::kill(pid, signal);
  int status = 0;
  while (::wait(&status) > 0 || errno == EINTR) {
  }
  throw Interrupted(signal);
}

// Plans the directory in this process, then keeps `jobs` children busy, one run each; a child that fails ends the
// command with its run named (the other children finish their runs first).
void train_in_children(TrainCli& cli) {
  references::ReferencesOptions plan_only;
  plan_only.plan_only = true;
  const auto planned = references::train_references(cli.config, cli.out, plan_only);
  std::vector<int> todo;
  for (size_t r = 0; r < planned.set.runs(); ++r)
    if (!planned.set.finished(r) &&
        (cli.runs_to_train.empty() || std::count(cli.runs_to_train.begin(), cli.runs_to_train.end(), int(r))))
      todo.push_back(int(r));
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = cli.threads > 0 ? cli.threads : std::max(1, cores / cli.jobs);
  std::map<pid_t, int> running;
  std::vector<int> failed;
  size_t next = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && int(running.size()) < cli.jobs) {
      log_info("reference run " + std::to_string(todo[next]) + ": training in a child process (" +
               std::to_string(threads) + " threads)");
      running[spawn(child_args(cli, todo[next], threads))] = todo[next];
      ++next;
    }
    int status = 0;
    const pid_t pid = ::wait(&status);
    if (pid < 0 && errno == EINTR) {
      if (const int signal = interrupt_requested()) stop_children(running, signal);
      continue;
    }
    if (pid < 0) break;
    const int run = running.at(pid);
    running.erase(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed.push_back(run);
    else log_info("reference run " + std::to_string(run) + ": finished");
  }
  if (!failed.empty()) {
    std::string runs;
    for (int r : failed) runs += (runs.empty() ? "" : ", ") + std::to_string(r);
    throw Error("reference runs " + runs + " failed (their errors are above); run the command again to resume them");
  }
}

// Trains cli.runs_to_train (all when empty) in this process, one after the other.
void train_here(TrainCli& cli) {
  runtime::set_torch_threads(cli.threads);
  ProgressBar bar;
  references::ReferencesOptions o;
  o.only_runs = cli.runs_to_train;
  o.progress = bar.callback();
  o.command_line = command_line();
  o.on_run = [&](size_t run, size_t runs, const std::string& what) {
    bar.finish();
    log_info("reference run " + std::to_string(run) + " of " + std::to_string(runs) + ": " + what);
  };
  const auto r = references::train_references(cli.config, cli.out, o);
  bar.finish();
  log_info(std::to_string(r.trained.size()) + " runs trained, " + std::to_string(r.reused.size()) +
           " reused, in " + format_duration(r.seconds));
}

void print_set(const std::string& out) {
  const auto set = references::ReferenceSet::load(out);
  size_t finished = 0;
  for (size_t r = 0; r < set.runs(); ++r) finished += set.finished(r);
  std::cout << "references in " << out << ": " << finished << " of " << set.runs() << " runs finished ("
            << (set.keep().offline() ? "offline" : "online") << ", " << set.keep().units.size() << " candidate "
            << references::to_string(set.keep().unit) << "s)\n";
}

// Rank r of a launch of N: the runs r, r + N, ... (rank 0 writes the plan first; the others wait for it).
void train_as_launch_rank(TrainCli& cli, const runtime::DistributedEnv& env) {
  const auto plan = fs::path(cli.out) / "references.json";
  if (env.rank == 0) {
    references::ReferencesOptions o;
    o.plan_only = true;
    references::train_references(cli.config, cli.out, o);
  } else {
    const auto timeout = runtime::default_distributed_timeout();
    const auto start = std::chrono::steady_clock::now();
    while (!fs::exists(plan)) {
      if (std::chrono::steady_clock::now() - start > timeout)
        throw Error("launch rank " + std::to_string(env.rank) + ": rank 0 wrote no plan (" + plan.string() +
                    ") within " + std::to_string(timeout.count() / 1000) + " s (see its log)");
      throw_if_interrupted();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  for (int run = env.rank; run < cli.config.runs; run += env.world_size) cli.runs_to_train.push_back(run);
  if (cli.runs_to_train.empty()) {
    log_warn("references: rank " + std::to_string(env.rank) + " has no run to train (" +
             std::to_string(cli.config.runs) + " runs over " + std::to_string(env.world_size) + " processes)");
    return;
  }
  std::string runs;
  for (int r : cli.runs_to_train) runs += (runs.empty() ? "" : ", ") + std::to_string(r);
  log_info("references: rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
           " trains run(s) " + runs);
  train_here(cli);
}

void run_train(TrainCli& cli) {
  cli.config.unit = references::parse_unit(cli.unit);
  cli.config.validate();
  const auto env = runtime::distributed_env();
  if (env && env->distributed() && cli.runs_to_train.empty()) {
    train_as_launch_rank(cli, *env);
    if (env->rank > 0) return;  // rank 0 prints what is finished
  } else if (cli.jobs > 1 && cli.runs_to_train.size() != 1) {
    train_in_children(cli);
  } else {
    train_here(cli);
  }
  print_set(cli.out);
}
}  // namespace

void add_references_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("references", "Reference encoders for the calibrated attacks (docs/calibrated-attacks.md)");
  cmd->require_subcommand(1);
  auto cli = std::make_shared<TrainCli>();
  auto& c = cli->config;
  auto* train = cmd->add_subcommand("train", "Pretrain N reference encoders with the target's recipe on seeded "
                                             "subsets, each candidate IN for half of them (or none: --offline)");
  train->add_option("--recipe", c.recipe, "The target model's directory (speechleak-pretrained: its recipe is read "
                                          "from pretrain_config.json) or a training preset name")
      ->required();
  train->add_option("--candidates", c.candidates, "Corpus spec of the utterances audits will score (members and "
                                                  "non-members)")
      ->required();
  train->add_option("--population", c.population, "Corpus spec of other utterances, never scored (required offline)");
  train->add_option("--runs", c.runs, "Reference runs")->capture_default_str();
  train->add_option("--unit", cli->unit, "speaker (whole speakers in or out) or utterance")->capture_default_str();
  train->add_flag("--offline", c.offline, "No run trains on a candidate (for lira-offline / rmia-offline)");
  train->add_option("--population-fraction", c.population_fraction,
                    "Share of the population's units each run adds (seeded per run)")
      ->capture_default_str();
  train->add_option("--seed", c.seed, "Seed of the keep matrix, the population draws and the runs' seeds")
      ->capture_default_str();
  train->add_option("--run", cli->runs_to_train, "Train only these runs (other processes may train the rest)");
  train->add_option("--jobs", cli->jobs, "Runs trained at once, in child processes")->capture_default_str();
  train->add_option("--threads", cli->threads, "libtorch threads (per run with --jobs; 0 = cores / jobs)")
      ->capture_default_str();
  train->add_option("--device", c.device, "Pretraining device: cpu, cuda or cuda:N")->capture_default_str();
  train->add_option("--out", cli->out, "References directory")->required();
  train->callback([cli] { run_train(*cli); });
}

}  // namespace speechleak::cli
