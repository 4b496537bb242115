#pragma once
// The commands' side of a multi-process launch (torchrun, srun, `speechleak launch`): joining the process group the
// environment names, and which process talks to the user.
#include <memory>
#include <string>

namespace speechleak::runtime {
class ProcessGroup;
}

namespace speechleak::cli {

// Joins the process group of the launch this process belongs to (runtime/distributed_env.h), logging which rank it
// is; null when no launcher variables are set or the job has one process. `command` names the subcommand in the log.
std::shared_ptr<runtime::ProcessGroup> join_launch_group(const std::string& command);

// This process's rank in a launch (0 when not launched).
int launch_rank();
// "[rank 1] " in a launch of several processes, "" otherwise: the log sink's prefix.
std::string rank_prefix();

}  // namespace speechleak::cli
