#include "speechleak/runtime/distributed_env.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::runtime {

namespace {

std::optional<std::string> get(const EnvLookup& lookup, const char* name) {
  const char* v = lookup ? lookup(name) : std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

int number(const std::string& value, const char* name, long long min, long long max) {
  long long n = 0;
  try {
    n = text::parse_int(value, name);
  } catch (const Error&) {
    throw invalid_argument(name, "an integer", "'" + value + "'");
  }
  if (n < min || n > max)
    throw invalid_argument(name, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
                           std::to_string(n));
  return static_cast<int>(n);
}

constexpr long long kMaxProcesses = 1 << 20;

DistributedEnv from_torchrun(const EnvLookup& lookup) {
  DistributedEnv e;
  e.launcher = "torchrun";
  const auto world = get(lookup, "WORLD_SIZE");
  const auto rank = get(lookup, "RANK");
  if (!world || !rank)
    throw invalid_argument(world ? "RANK" : "WORLD_SIZE", "set together with " + std::string(world ? "WORLD_SIZE" : "RANK"),
                           "unset");
  e.world_size = number(*world, "WORLD_SIZE", 1, kMaxProcesses);
  e.rank = number(*rank, "RANK", 0, e.world_size - 1);
  e.local_rank = get(lookup, "LOCAL_RANK") ? number(*get(lookup, "LOCAL_RANK"), "LOCAL_RANK", 0, kMaxProcesses) : 0;
  if (auto addr = get(lookup, "MASTER_ADDR")) e.master_addr = *addr;
  else if (e.world_size > 1) throw invalid_argument("MASTER_ADDR", "the host of rank 0 (set with WORLD_SIZE > 1)", "unset");
  if (auto port = get(lookup, "MASTER_PORT")) e.master_port = number(*port, "MASTER_PORT", 1, 65535);
  return e;
}

DistributedEnv from_slurm(const EnvLookup& lookup) {
  DistributedEnv e;
  e.launcher = "slurm";
  e.world_size = number(*get(lookup, "SLURM_NTASKS"), "SLURM_NTASKS", 1, kMaxProcesses);
  const auto rank = get(lookup, "SLURM_PROCID");
  if (!rank) throw invalid_argument("SLURM_PROCID", "set with SLURM_NTASKS (run the tasks with srun)", "unset");
  e.rank = number(*rank, "SLURM_PROCID", 0, e.world_size - 1);
  if (auto local = get(lookup, "SLURM_LOCALID")) e.local_rank = number(*local, "SLURM_LOCALID", 0, kMaxProcesses);
  if (auto addr = get(lookup, "MASTER_ADDR")) {
    e.master_addr = *addr;
  } else {
    auto nodes = get(lookup, "SLURM_JOB_NODELIST");
    if (!nodes) nodes = get(lookup, "SLURM_NODELIST");
    if (!nodes) throw invalid_argument("SLURM_JOB_NODELIST", "the job's node list (or MASTER_ADDR)", "unset");
    e.master_addr = first_slurm_host(*nodes);
  }
  // A port of the job's own (10000 + job id mod 20000) keeps two jobs on one node apart; MASTER_PORT overrides.
  if (auto port = get(lookup, "MASTER_PORT")) {
    e.master_port = number(*port, "MASTER_PORT", 1, 65535);
  } else if (auto job = get(lookup, "SLURM_JOB_ID")) {
    e.master_port = 10000 + static_cast<int>(number(*job, "SLURM_JOB_ID", 0, 1LL << 40) % 20000);
  }
  return e;
}

}  // namespace

std::string DistributedEnv::describe() const {
  return "rank " + std::to_string(rank) + " of " + std::to_string(world_size) + " (local " +
         std::to_string(local_rank) + "; master " + master_addr + ":" + std::to_string(master_port) + ", from " +
         launcher + " variables)";
}

std::optional<DistributedEnv> distributed_env(const EnvLookup& lookup) {
  if (get(lookup, "WORLD_SIZE") || get(lookup, "RANK")) return from_torchrun(lookup);
  if (get(lookup, "SLURM_NTASKS")) return from_slurm(lookup);
  return std::nullopt;
}

std::chrono::milliseconds default_distributed_timeout() {
  if (const char* v = std::getenv("SPEECHLEAK_DIST_TIMEOUT"); v && *v) {
    const auto s = text::parse_double(v, "SPEECHLEAK_DIST_TIMEOUT");
    if (!(s > 0)) throw invalid_argument("SPEECHLEAK_DIST_TIMEOUT", "seconds > 0", v);
    return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
  }
  return std::chrono::seconds(300);
}

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("cannot open a socket to find a free port on 127.0.0.1");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw Error("cannot find a free port on 127.0.0.1 (set MASTER_PORT)");
  return ntohs(a.sin_port);
}

std::string first_slurm_host(const std::string& nodelist) {
  const auto list = std::string(text::trim(nodelist));
  if (list.empty()) throw invalid_argument("SLURM_JOB_NODELIST", "a node list such as node[01-04]", "''");
  // The first entry ends at the first comma outside brackets.
  size_t end = 0;
  int depth = 0;
  for (; end < list.size(); ++end) {
    if (list[end] == '[') ++depth;
    else if (list[end] == ']') --depth;
    else if (list[end] == ',' && depth == 0) break;
  }
  const auto first = list.substr(0, end);
  const auto open = first.find('[');
  if (open == std::string::npos) return first;
  const auto close = first.find(']', open);
  if (close == std::string::npos)
    throw invalid_argument("SLURM_JOB_NODELIST", "brackets that close, e.g. node[01-04]", "'" + nodelist + "'");
  // "01-04,07" -> "01": the first range's start keeps its zero padding.
  auto range = first.substr(open + 1, close - open - 1);
  range = range.substr(0, range.find_first_of(",-"));
  if (range.empty())
    throw invalid_argument("SLURM_JOB_NODELIST", "a host range inside the brackets", "'" + nodelist + "'");
  return first.substr(0, open) + range + first.substr(close + 1);
}

}  // namespace speechleak::runtime
