#include "speechleak/metrics/auc.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "speechleak/metrics/inputs.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {

double auc_from_roc(std::span<const RocPoint> roc) {
  if (roc.size() < 2 || roc.front().tp != 0 || roc.front().fp != 0)
    throw invalid_argument("roc", "a curve from roc_curve() starting at (0,0)", "another curve");
  const RocPoint& last = roc.back();
  if (last.tpr != 1.0 || last.fpr != 1.0)
    throw invalid_argument("roc", "a curve from roc_curve() ending at (1,1)", "another curve");
  // Twice the area in units of (member, non-member) pairs: sum of dfp * (tp_prev + tp). Exact in 64 bits for
  // any n1 * n0 < 2^62.
  uint64_t twice_pairs = 0;
  for (size_t k = 1; k < roc.size(); ++k)
    twice_pairs += static_cast<uint64_t>(roc[k].fp - roc[k - 1].fp) * (roc[k].tp + roc[k - 1].tp);
  const double pairs = static_cast<double>(last.tp) * static_cast<double>(last.fp);
  return static_cast<double>(twice_pairs) / (2.0 * pairs);
}

double roc_auc(std::span<const double> scores, std::span<const int> labels) {
  const auto roc = roc_curve(scores, labels);
  return auc_from_roc(roc);
}

double mann_whitney_auc(std::span<const double> scores, std::span<const int> labels) {
  const ClassCounts counts = check_scores_and_labels(scores, labels);
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Ranks are 1-based; a run of ties at positions [i, j) gets the average rank (i + 1 + j) / 2. Twice the rank
  // is an integer, so the member rank sum is kept doubled and exact.
  uint64_t twice_member_rank_sum = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const uint64_t twice_rank = i + 1 + j;
    for (size_t k = i; k < j; ++k)
      if (labels[order[k]] == 1) twice_member_rank_sum += twice_rank;
    i = j;
  }
  const uint64_t n1 = counts.members;
  const uint64_t twice_u = twice_member_rank_sum - n1 * (n1 + 1);
  return static_cast<double>(twice_u) / (2.0 * static_cast<double>(n1) * static_cast<double>(counts.nonmembers));
}

}  // namespace speechleak::metrics
