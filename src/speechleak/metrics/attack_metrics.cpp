#include "speechleak/metrics/attack_metrics.h"

#include <cmath>
#include <string>

#include "speechleak/util/number_format.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {

namespace {

void check_roc(std::span<const RocPoint> roc) {
  if (roc.size() < 2 || roc.front().tp != 0 || roc.front().fp != 0 || roc.back().fp == 0)
    throw invalid_argument("roc", "a curve from roc_curve() (from (0,0) to (1,1))",
                           std::to_string(roc.size()) + " points not of that form");
}

// The first point maximising `objective`; the curve is ordered by decreasing threshold.
template <typename Objective>
BestPoint best_point(std::span<const RocPoint> roc, Objective objective) {
  check_roc(roc);
  BestPoint best{roc.front(), objective(roc.front())};
  for (const RocPoint& p : roc.subspan(1)) {
    const double value = objective(p);
    if (value > best.value) best = {p, value};
  }
  return best;
}

}  // namespace

TprAtFpr tpr_at_fpr(std::span<const RocPoint> roc, double target_fpr) {
  check_roc(roc);
  if (!(target_fpr >= 0.0 && target_fpr <= 1.0))
    throw invalid_argument("target_fpr", "a false-positive rate in [0, 1]", text::shortest(target_fpr));
  TprAtFpr result;
  result.target_fpr = target_fpr;
  result.threshold = roc.front().threshold;
  // The last point of the curve is (1,1): its fp is the number of non-members.
  result.below_resolution = target_fpr < 1.0 / static_cast<double>(roc.back().fp);
  for (const RocPoint& p : roc) {
    // Strictly greater: among points with equal TPR keep the one with the lowest FPR (highest threshold).
    if (p.fpr <= target_fpr && p.tpr > result.tpr) {
      result.tpr = p.tpr;
      result.fpr = p.fpr;
      result.threshold = p.threshold;
    }
  }
  return result;
}

BestPoint best_advantage(std::span<const RocPoint> roc) {
  return best_point(roc, [](const RocPoint& p) { return p.tpr - p.fpr; });
}

BestPoint best_balanced_accuracy(std::span<const RocPoint> roc) {
  return best_point(roc, [](const RocPoint& p) { return 1.0 - (p.fpr + (1.0 - p.tpr)) / 2.0; });
}

}  // namespace speechleak::metrics
