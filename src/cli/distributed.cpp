#include "cli/distributed.h"

#include <optional>

#include "speechleak/runtime/distributed_env.h"
#include "speechleak/runtime/process_group.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {

std::shared_ptr<runtime::ProcessGroup> join_launch_group(const std::string& command) {
  const auto env = runtime::distributed_env();
  if (!env || !env->distributed()) return nullptr;
  const auto timeout = runtime::default_distributed_timeout();
  log_info(command + ": joining " + env->describe());
  auto group = runtime::ProcessGroup::join(*env, timeout);
  log_info(command + ": " + std::to_string(env->world_size) + " processes joined (Gloo)");
  return group;
}

namespace {

// The launch environment, or none when it is malformed (join_launch_group reports that).
std::optional<runtime::DistributedEnv> launch_env() {
  try {
    return runtime::distributed_env();
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

int launch_rank() {
  const auto env = launch_env();
  return env ? env->rank : 0;
}

std::string rank_prefix() {
  const auto env = launch_env();
  return env && env->distributed() ? "[rank " + std::to_string(env->rank) + "] " : "";
}

}  // namespace speechleak::cli
