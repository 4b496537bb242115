#pragma once
// Area under the ROC curve, two independent ways.
//
// Both equal the Mann-Whitney statistic P(s_member > s_nonmember) + 0.5 * P(s_member == s_nonmember) over all
// member/non-member pairs; they agree up to the rounding of one final division.
#include <span>

#include "speechleak/metrics/roc.h"

namespace speechleak::metrics {

// Trapezoid rule over an ROC from roc_curve(). Ties are diagonal steps, so each contributes half a pair per
// tied (member, non-member) pair, which is exactly the Mann-Whitney tie convention. Computed in integer counts
// (exact), then divided once. Throws InvalidArgument when the curve does not start at (0,0) or end at (1,1).
double auc_from_roc(std::span<const RocPoint> roc);

// roc_curve() then auc_from_roc().
double roc_auc(std::span<const double> scores, std::span<const int> labels);

// From ranks: sort ascending, give tied scores their average rank, U = (sum of member ranks) - n1(n1+1)/2,
// AUC = U / (n1 n0). Independent of the ROC code; used to cross-check it.
double mann_whitney_auc(std::span<const double> scores, std::span<const int> labels);

}  // namespace speechleak::metrics
