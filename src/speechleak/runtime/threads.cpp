#include "speechleak/runtime/threads.h"

#include <sched.h>

#include <atomic>
#include <string>

#include "speechleak/util/error.h"

namespace speechleak::runtime {
namespace {
std::atomic<bool> configured{false};
}

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return 1;
}

void set_torch_threads(int n) {
  if (n < 0) throw invalid_argument("threads", "0 (all cores) or a positive count", std::to_string(n));
  at::set_num_threads(n == 0 ? available_cores() : n);
  configured = true;
}

void ensure_torch_threads() {
  if (!configured.exchange(true)) at::set_num_threads(available_cores());
}

int torch_threads() { return at::get_num_threads(); }

}  // namespace speechleak::runtime
