#pragma once
// Scores reduced to the ranks of their distinct values, so that any resample of the items is just two count
// vectors and its AUC and TPR@FPR cost O(number of distinct scores) instead of a sort. The bootstrap uses this;
// the results equal roc_auc() / tpr_at_fpr() on the materialised resample (tested).
#include <cstdint>
#include <span>
#include <vector>

namespace speechleak::metrics {

struct ScoreGroups {
  std::vector<double> values;             // distinct scores, descending (group g has score values[g])
  std::vector<uint32_t> member_group;     // group of each member, in input order
  std::vector<uint32_t> nonmember_group;  // group of each non-member, in input order
};

// Validates the inputs (inputs.h).
ScoreGroups group_scores(std::span<const double> scores, std::span<const int> labels);

struct CountMetrics {
  double auc = 0;
  std::vector<double> tpr_at_fpr;  // parallel to the targets
};

// member_counts[g] / nonmember_counts[g]: how often the sample holds a member / non-member with score
// values[g] (both of size values.size(), each class at least once in total). Same conventions as roc.h,
// auc.h and attack_metrics.h: ties are diagonal steps, TPR@x = highest TPR with FPR <= x.
CountMetrics metrics_from_counts(std::span<const uint32_t> member_counts, std::span<const uint32_t> nonmember_counts,
                                 std::span<const double> fpr_targets);

}  // namespace speechleak::metrics
