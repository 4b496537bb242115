#pragma once
// Length-sorted batching of variable-length items under a padded-size budget, shared by everything that runs the
// encoder over a corpus (extraction, transcription). Torch-free.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace speechleak {

// Indices of `lengths` grouped into batches: items sorted by length (stable: equal lengths keep their order),
// cut so that no batch holds more than max_batch_size items nor more than max_padded padded elements (longest
// item x count). An item longer than max_padded forms a batch by itself.
std::vector<std::vector<size_t>> length_sorted_batches(const std::vector<int64_t>& lengths, int max_batch_size,
                                                       int64_t max_padded);

}  // namespace speechleak
