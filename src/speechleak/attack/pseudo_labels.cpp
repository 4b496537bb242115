#include "speechleak/attack/pseudo_labels.h"

#include <algorithm>
#include <numeric>

#include "speechleak/util/error.h"

namespace speechleak::attack {

PseudoLabels pseudo_label(const std::vector<double>& scores, int64_t k, ScoreDirection seen, const std::string& what) {
  const auto n = static_cast<int64_t>(scores.size());
  if (k < 1) throw invalid_argument("k", "at least 1", std::to_string(k));
  if (4 * k > n)
    throw invalid_argument("k", "at most " + std::to_string(n / 4) + ": 4k " + what +
                                    " are needed (k seen + k unseen to train, the next k of each to validate) and the "
                                    "auxiliary set has " + std::to_string(n),
                           std::to_string(k));
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Descending by score when "seen" is the high end, ascending otherwise: order[0..k) are always "seen".
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return seen == ScoreDirection::High ? scores[a] > scores[b] : scores[a] < scores[b];
  });
  PseudoLabels out;
  out.train_seen.assign(order.begin(), order.begin() + k);
  out.val_seen.assign(order.begin() + k, order.begin() + 2 * k);
  out.train_unseen.assign(order.end() - k, order.end());
  out.val_unseen.assign(order.end() - 2 * k, order.end() - k);
  return out;
}

}  // namespace speechleak::attack
