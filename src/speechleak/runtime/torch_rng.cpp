#include "speechleak/runtime/torch_rng.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace speechleak::runtime {

ForkedTorchRng::ForkedTorchRng(uint64_t seed) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  saved_ = gen.get_state();
  gen.set_current_seed(seed);
}

ForkedTorchRng::~ForkedTorchRng() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(saved_);
}

}  // namespace speechleak::runtime
