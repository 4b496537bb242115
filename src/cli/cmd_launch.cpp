// speechleak launch: starts N local processes of one subcommand as torchrun would (RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT), for users without torchrun; each process joins the job's c10d group itself
// (cli/distributed.h). When one process fails, the others are stopped and the failure is named.
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/runtime/distributed_env.h"
#include "speechleak/util/error.h"
#include "speechleak/util/interrupt.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {

struct LaunchOptions {
  int nproc = 2;
  int master_port = 0;  // 0: a free port
  bool bind_cores = true;
  double grace_seconds = 30;
  std::vector<std::string> command;
};

// The cores this process may use, cut into n contiguous shares (none when there are fewer cores than processes):
// each process then sizes its thread pool to its own share instead of every process using every core.
std::vector<cpu_set_t> core_shares(int n) {
  cpu_set_t mine;
  CPU_ZERO(&mine);
  if (sched_getaffinity(0, sizeof mine, &mine) != 0) return {};
  std::vector<int> cores;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &mine)) cores.push_back(c);
  if (static_cast<int>(cores.size()) < n) return {};
  std::vector<cpu_set_t> shares(static_cast<size_t>(n));
  for (auto& s : shares) CPU_ZERO(&s);
  for (size_t i = 0; i < cores.size(); ++i) CPU_SET(cores[i], &shares[i * static_cast<size_t>(n) / cores.size()]);
  return shares;
}

pid_t start_rank(const LaunchOptions& o, int rank, int port, const std::vector<cpu_set_t>& shares) {
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("launch: fork failed for rank " + std::to_string(rank));
  if (pid > 0) return pid;
  // The child: its own process group (a terminal's Ctrl-C reaches only the launcher, which forwards it once: a
  // second signal would stop a process at once, without its checkpoint), SIGTERM when the launcher dies, the
  // launch environment, its share of the cores, then the program itself with the subcommand.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  ::setenv("RANK", std::to_string(rank).c_str(), 1);
  ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
  ::setenv("WORLD_SIZE", std::to_string(o.nproc).c_str(), 1);
  ::setenv("LOCAL_WORLD_SIZE", std::to_string(o.nproc).c_str(), 1);
  ::setenv("MASTER_ADDR", "127.0.0.1", 1);
  ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  if (!shares.empty()) sched_setaffinity(0, sizeof(cpu_set_t), &shares[static_cast<size_t>(rank)]);
  std::vector<std::string> args{"speechleak"};
  if (quiet()) args.emplace_back("--quiet");  // the launcher's global flags hold for its processes
  args.insert(args.end(), o.command.begin(), o.command.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv("/proc/self/exe", argv.data());
  const char msg[] = "error: launch: cannot run /proc/self/exe\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  ::_exit(127);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by ") + signal_name(WTERMSIG(status));
  return "stopped";
}

bool failed(int status) { return !WIFEXITED(status) || WEXITSTATUS(status) != 0; }

// The launched processes: started, watched until all have exited, stopped together when one fails or a stop is
// asked for.
class Ranks {
 public:
  Ranks(const LaunchOptions& o, int port, const std::vector<cpu_set_t>& shares) : grace_(o.grace_seconds) {
    for (int r = 0; r < o.nproc; ++r) {
      try {
        pids_.push_back(start_rank(o, r, port, shares));
      } catch (const Error&) {
        signal_all(SIGTERM);  // no half-started job left behind
        throw;
      }
    }
  }

  // Returns when every process has exited. Throws Error naming the first that failed, or Interrupted when a stop
  // request was forwarded.
  void wait() {
    size_t running = pids_.size();
    while (running > 0) {
      int status = 0;
      if (const pid_t done = ::waitpid(-1, &status, WNOHANG); done > 0) {
        if (exited(done, status)) --running;
        continue;
      }
      // A stop request for the launcher goes to every process, which stop at a resumable point together.
      if (const int sig = interrupt_requested(); sig && sig != forwarded_) {
        signal_all(sig);
        forwarded_ = sig;
        if (!stop_since_) stop_since_ = std::chrono::steady_clock::now();
      }
      if (stop_since_ && std::chrono::steady_clock::now() - *stop_since_ > std::chrono::duration<double>(grace_)) {
        log_warn("launch: " + std::to_string(running) + " process(es) still running " +
                 std::to_string(static_cast<int>(grace_)) + " s after the stop: killed");
        signal_all(SIGKILL);
        stop_since_.reset();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (forwarded_) throw Interrupted(forwarded_);
    if (!failure_.empty()) throw Error(failure_);
  }

 private:
  // Records a child's exit; the first failure stops the others. Returns whether `pid` was one of the ranks.
  bool exited(pid_t pid, int status) {
    for (size_t r = 0; r < pids_.size(); ++r) {
      if (pids_[r] != pid) continue;
      pids_[r] = -1;
      if (failed(status) && failure_.empty()) {
        failure_ = "launch: rank " + std::to_string(r) + " (pid " + std::to_string(pid) + ") " +
                   describe_status(status) + " (its messages are above, prefixed [rank " + std::to_string(r) + "])";
        log_warn(failure_ + "; stopping the others");
        signal_all(SIGTERM);
        stop_since_ = std::chrono::steady_clock::now();
      }
      return true;
    }
    return false;
  }
  void signal_all(int sig) {
    for (auto pid : pids_)
      if (pid > 0) ::kill(pid, sig);
  }

  double grace_;
  std::vector<pid_t> pids_;
  int forwarded_ = 0;
  std::string failure_;  // the first process that failed
  std::optional<std::chrono::steady_clock::time_point> stop_since_;
};

void run_launch(const LaunchOptions& o) {
  if (o.nproc < 1) throw invalid_argument("--nproc", "at least 1 process", std::to_string(o.nproc));
  if (o.command.empty()) throw invalid_argument("command", "a subcommand after --, e.g. -- pretrain ...", "none");
  if (o.command.front() == "launch") throw invalid_argument("command", "a subcommand other than launch", "launch");
  const int port = o.master_port > 0 ? o.master_port : runtime::free_local_port();
  const auto shares = o.bind_cores ? core_shares(o.nproc) : std::vector<cpu_set_t>{};
  log_info("launch: " + std::to_string(o.nproc) + " processes of '" + o.command.front() + "', master 127.0.0.1:" +
           std::to_string(port) + (shares.empty() ? "" : ", each on its own share of the cores"));
  Ranks ranks(o, port, shares);
  ranks.wait();
}

}  // namespace

void add_launch_command(CLI::App& app) {
  auto opt = std::make_shared<LaunchOptions>();
  auto* cmd = app.add_subcommand("launch", "Run a subcommand as N local processes of one data-parallel job, as "
                                           "torchrun does (docs/scaling.md)");
  cmd->add_option("--nproc", opt->nproc, "Processes to start")->capture_default_str();
  cmd->add_option("--master-port", opt->master_port, "Rendezvous port on 127.0.0.1 (default: a free one)");
  cmd->add_flag("!--no-bind-cores", opt->bind_cores, "Let every process use every core (default: each its share)");
  cmd->add_option("--grace", opt->grace_seconds, "Seconds the others get to stop after one fails or a stop is asked")
      ->capture_default_str();
  cmd->add_option("command", opt->command, "The subcommand and its arguments, after --")->required();
  cmd->callback([opt] { run_launch(*opt); });
}

}  // namespace speechleak::cli
