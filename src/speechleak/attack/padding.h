#pragma once
// Batches of variable-length frame sequences.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace speechleak::attack {

struct PaddedBatch {
  at::Tensor frames;  // [B, T_max, D] float32, zeros after each sequence's end
  at::Tensor mask;    // [B, T_max] bool, true on real frames
};

// Pads sequences[indices[i]] (each [T_i, D], any float dtype) into one batch. Throws InvalidArgument naming the
// offending index when widths differ. Empty sequences must be rejected before (check_sequences): their attention
// would be a softmax over nothing.
PaddedBatch pad_batch(const std::vector<at::Tensor>& sequences, const std::vector<int64_t>& indices);

// Checks that every sequence is a finite [T >= 1, D] tensor of the same width; returns D. `what` names the set.
int64_t check_sequences(const std::vector<at::Tensor>& sequences, const char* what);

}  // namespace speechleak::attack
