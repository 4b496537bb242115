#include "cli/distributed.h"

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

int launch_rank() {
  try {
    const auto env = runtime::distributed_env();
    return env ? env->rank : 0;
  } catch (const Error&) {
    return 0;  // join_launch_group reports a malformed environment
  }
}

std::string rank_prefix() {
  try {
    const auto env = runtime::distributed_env();
    return env && env->distributed() ? "[rank " + std::to_string(env->rank) + "] " : "";
  } catch (const Error&) {
    return "";
  }
}

}  // namespace speechleak::cli
