#pragma once
// Seeded draws from torch's global generator without disturbing the caller's random stream.
//
// Module constructors (torch::nn::Linear's Kaiming-uniform initialisation) and dropout draw from torch's default
// CPU generator and take no generator argument. Library code that needs those draws seeded forks the stream, as
// torch.random.fork_rng does: it saves the caller's generator state, seeds the generator, and restores the saved
// state when the scope ends, so a caller's own at::manual_seed stream continues exactly where it was.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace speechleak::runtime {

class ForkedTorchRng {
 public:
  explicit ForkedTorchRng(uint64_t seed);
  ~ForkedTorchRng();
  ForkedTorchRng(const ForkedTorchRng&) = delete;
  ForkedTorchRng& operator=(const ForkedTorchRng&) = delete;

 private:
  at::Tensor saved_;
};

}  // namespace speechleak::runtime
