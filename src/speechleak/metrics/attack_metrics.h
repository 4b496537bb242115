#pragma once
// Operating-point metrics read off an exact ROC (roc.h): TPR at a fixed FPR, best balanced accuracy, best
// advantage. All take ROC points only: no interpolation between them, so every number is achieved by a real
// threshold on the data.
#include <cstddef>
#include <span>

#include "speechleak/metrics/roc.h"

namespace speechleak::metrics {

// LiRA's "TPR at x FPR": the highest TPR among ROC points with FPR <= x.
//
// Resolution: with n0 non-members the reachable FPRs are 0, 1/n0, 2/n0, ...; a target x < 1/n0 can only be met
// at FPR 0, so the answer is the TPR at the lowest threshold above every non-member score (ML Privacy Meter's
// "zero_fpr"). E.g. with 100 non-members TPR@0.1% == TPR@0% and `below_resolution` is true. The point (0,0) is
// always eligible, so the result is 0 (not an error) when no threshold admits a member at FPR <= x.
// fp / n0 <= x is compared in double; both sides are correctly rounded, so FPR exactly 1/1000 meets x = 0.001.
struct TprAtFpr {
  double target_fpr = 0;          // x
  double tpr = 0;                 // the answer
  double fpr = 0;                 // FPR of the chosen point (<= x)
  double threshold = 0;           // its threshold (member iff score >= threshold); +infinity when tpr == 0
  bool below_resolution = false;  // x < 1 / n0: only FPR 0 is reachable
};

// Throws InvalidArgument ("target_fpr") unless 0 <= x <= 1, and ("roc") for a curve not from roc_curve().
TprAtFpr tpr_at_fpr(std::span<const RocPoint> roc, double target_fpr);

// The ROC point that maximises TPR - FPR (the first, i.e. highest threshold, among equals).
struct BestPoint {
  RocPoint point;
  double value = 0;  // the maximised quantity
};

// Advantage (Yeom et al.; the seed authors' "best adversarial advantage"): max over the ROC of TPR - FPR.
// Never negative, because the point (0,0) is on the curve: a score that ranks non-members higher (AUC < 0.5)
// has advantage 0 in this direction, as in sklearn-based code.
BestPoint best_advantage(std::span<const RocPoint> roc);

// LiRA balanced accuracy: max over thresholds of 1 - (FPR + (1 - TPR)) / 2 = 0.5 + max(TPR - FPR) / 2.
BestPoint best_balanced_accuracy(std::span<const RocPoint> roc);

}  // namespace speechleak::metrics
