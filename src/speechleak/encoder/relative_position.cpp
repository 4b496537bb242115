#include "speechleak/encoder/relative_position.h"

#include <cmath>

namespace speechleak::encoder {

at::Tensor relative_position_buckets(int64_t frames, int num_buckets, int max_distance, at::Device device) {
  const auto position = at::arange(frames, at::TensorOptions().dtype(at::kLong).device(device));
  const auto relative = position.unsqueeze(0) - position.unsqueeze(1);  // [query, key] = key - query
  const int64_t half = num_buckets / 2, exact = half / 2;
  const auto distance = relative.abs();
  // In float32 as HF computes it, so that a distance on a bucket boundary lands where HF puts it.
  auto far = at::log(distance.to(at::kFloat) / static_cast<double>(exact)) /
             std::log(static_cast<double>(max_distance) / static_cast<double>(exact)) *
             static_cast<double>(half - exact);
  far = (far + static_cast<double>(exact)).to(at::kLong).clamp_max(half - 1);
  return (relative > 0).to(at::kLong) * half + at::where(distance < exact, distance, far);
}

}  // namespace speechleak::encoder
