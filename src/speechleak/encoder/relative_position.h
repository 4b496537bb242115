#pragma once
// WavLM's relative position buckets (HF WavLMAttention._relative_positions_bucket): the signed distance from a
// query frame to a key frame, in num_buckets buckets, half per sign; distances below num_buckets / 4 get a bucket
// each, longer ones share buckets spaced logarithmically up to max_distance, and farther ones the last bucket.
#include <ATen/ATen.h>

namespace speechleak::encoder {

// [T, T] int64 on `device`: bucket of (key position - query position) for T frames.
at::Tensor relative_position_buckets(int64_t frames, int num_buckets, int max_distance, at::Device device = at::kCPU);

}  // namespace speechleak::encoder
