#include "speechleak/attack/padding.h"

#include <ATen/ATen.h>

#include <string>

#include "speechleak/util/error.h"

namespace speechleak::attack {

int64_t check_sequences(const std::vector<at::Tensor>& sequences, const char* what) {
  if (sequences.empty()) throw invalid_argument(what, "at least one frame sequence", "none");
  const int64_t width = sequences.front().dim() == 2 ? sequences.front().size(1) : -1;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const auto& s = sequences[i];
    const std::string name = std::string(what) + "[" + std::to_string(i) + "]";
    if (s.dim() != 2 || s.size(0) < 1)
      throw invalid_argument(name, "a [T >= 1, D] tensor", "shape " + std::to_string(s.dim()) + "-d");
    if (s.size(1) != width)
      throw invalid_argument(name, "width " + std::to_string(width) + " like the first sequence",
                             std::to_string(s.size(1)));
    if (!at::isfinite(s).all().item<bool>()) throw invalid_argument(name, "finite values", "NaN or infinity");
  }
  return width;
}

PaddedBatch pad_batch(const std::vector<at::Tensor>& sequences, const std::vector<int64_t>& indices) {
  int64_t t_max = 0;
  for (auto i : indices) t_max = std::max(t_max, sequences.at(i).size(0));
  const int64_t width = sequences.at(indices.at(0)).size(1);
  PaddedBatch batch{at::zeros({static_cast<int64_t>(indices.size()), t_max, width}),
                    at::zeros({static_cast<int64_t>(indices.size()), t_max}, at::kBool)};
  for (size_t b = 0; b < indices.size(); ++b) {
    const auto& s = sequences[indices[b]];
    if (s.size(1) != width)
      throw invalid_argument("sequence " + std::to_string(indices[b]), "width " + std::to_string(width),
                             std::to_string(s.size(1)));
    batch.frames[b].slice(0, 0, s.size(0)).copy_(s);
    batch.mask[b].slice(0, 0, s.size(0)).fill_(true);
  }
  return batch;
}

}  // namespace speechleak::attack
