#pragma once
// Where this process stands in a multi-process job, read from the environment the usual launchers set: torchrun
// (and `speechleak launch`): RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; Slurm (srun): SLURM_PROCID,
// SLURM_NTASKS, SLURM_LOCALID, the master being the first host of SLURM_JOB_NODELIST (or SLURM_NODELIST).
// torchrun's variables win when both are set (torchrun inside an allocation). No torch here: the CLI reads it
// before anything joins a process group (runtime/process_group.h).
#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace speechleak::runtime {

struct DistributedEnv {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;  // torchrun's default
  std::string launcher;     // "torchrun" or "slurm": which variables it came from

  bool distributed() const { return world_size > 1; }
  std::string describe() const;  // "rank 1 of 2 (local 1; master 127.0.0.1:29500, from torchrun variables)"
};

// Looks a variable up: nullptr when unset (the environment by default; tests pass their own).
using EnvLookup = std::function<const char*(const char*)>;

// The job this process belongs to; std::nullopt when no launcher variables are set. Throws InvalidArgument naming
// the variable for a value that is not a number, out of range (RANK >= WORLD_SIZE, a port outside 1..65535), or a
// half-set torchrun environment (RANK without WORLD_SIZE, ...).
std::optional<DistributedEnv> distributed_env(const EnvLookup& lookup = {});

// How long a process of a job waits for the others (joining, each collective, rank 0's plan):
// SPEECHLEAK_DIST_TIMEOUT seconds when set, else 300 s. InvalidArgument for a value that is not seconds > 0.
std::chrono::milliseconds default_distributed_timeout();

// A TCP port on 127.0.0.1 nothing listens on now (the kernel's pick): a rendezvous port for a one-machine job.
// Throws speechleak::Error when no socket can be bound.
int free_local_port();

// The first host of a Slurm node list: "node[01-04,07],gpu3" -> "node01"; "a,b" -> "a".
std::string first_slurm_host(const std::string& nodelist);

}  // namespace speechleak::runtime
