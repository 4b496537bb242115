#include "speechleak/metrics/grouped.h"

#include <algorithm>
#include <cassert>
#include <numeric>

#include "speechleak/metrics/inputs.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {

ScoreGroups group_scores(std::span<const double> scores, std::span<const int> labels) {
  check_scores_and_labels(scores, labels);
  if (scores.size() > UINT32_MAX) throw invalid_argument("scores", "at most 2^32 - 1 items", "more");
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<uint32_t> group_of(scores.size());
  ScoreGroups groups;
  for (size_t i : order) {
    if (groups.values.empty() || scores[i] != groups.values.back()) groups.values.push_back(scores[i]);
    group_of[i] = static_cast<uint32_t>(groups.values.size() - 1);
  }
  for (size_t i = 0; i < scores.size(); ++i)
    (labels[i] == 1 ? groups.member_group : groups.nonmember_group).push_back(group_of[i]);
  return groups;
}

CountMetrics metrics_from_counts(std::span<const uint32_t> member_counts, std::span<const uint32_t> nonmember_counts,
                                 std::span<const double> fpr_targets) {
  if (member_counts.size() != nonmember_counts.size())
    throw invalid_argument("nonmember_counts", std::to_string(member_counts.size()) + " groups",
                           std::to_string(nonmember_counts.size()));
  const uint64_t n1 = std::accumulate(member_counts.begin(), member_counts.end(), uint64_t{0});
  const uint64_t n0 = std::accumulate(nonmember_counts.begin(), nonmember_counts.end(), uint64_t{0});
  if (n1 == 0 || n0 == 0) throw invalid_argument("counts", "at least one member and one non-member", "an empty class");

  // Walk the groups from the highest score down (the ROC from (0,0)). A non-member in group g is beaten by
  // every member above it and ties with the members in g: twice its pair count is 2 * tp_above + members_in_g.
  uint64_t tp = 0, fp = 0, twice_pairs = 0;
  std::vector<uint64_t> tp_at_target(fpr_targets.size(), 0);
  for (size_t g = 0; g < member_counts.size(); ++g) {
    twice_pairs += static_cast<uint64_t>(nonmember_counts[g]) * (2 * tp + member_counts[g]);
    tp += member_counts[g];
    fp += nonmember_counts[g];
    // tp never decreases along the walk, so the last point with FPR <= x has the highest TPR.
    const double fpr = static_cast<double>(fp) / static_cast<double>(n0);
    for (size_t t = 0; t < fpr_targets.size(); ++t)
      if (fpr <= fpr_targets[t]) tp_at_target[t] = tp;
  }
  assert(tp == n1 && fp == n0);
  CountMetrics out;
  out.auc = static_cast<double>(twice_pairs) / (2.0 * static_cast<double>(n1) * static_cast<double>(n0));
  for (uint64_t t : tp_at_target) out.tpr_at_fpr.push_back(static_cast<double>(t) / static_cast<double>(n1));
  return out;
}

}  // namespace speechleak::metrics
