#include "speechleak/util/batching.h"

#include <algorithm>
#include <numeric>

#include "speechleak/util/error.h"

namespace speechleak {

std::vector<std::vector<size_t>> length_sorted_batches(const std::vector<int64_t>& lengths, int max_batch_size,
                                                       int64_t max_padded) {
  if (max_batch_size < 1) throw invalid_argument("max_batch_size", ">= 1", std::to_string(max_batch_size));
  std::vector<size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
  std::vector<std::vector<size_t>> batches;
  for (size_t i : order) {
    // Sorted ascending: the item joining a batch is its longest.
    if (batches.empty() || static_cast<int>(batches.back().size()) >= max_batch_size ||
        lengths[i] * static_cast<int64_t>(batches.back().size() + 1) > max_padded)
      batches.emplace_back();
    batches.back().push_back(i);
  }
  return batches;
}

}  // namespace speechleak
