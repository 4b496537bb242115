#pragma once
// The exact ROC curve of a membership score.
//
// Decision rule everywhere in this room: an item is called a MEMBER iff score >= threshold (sklearn's
// roc_curve and the seed authors' code use the same rule).
//
// Ties: scores are sorted descending and the curve gets ONE point per distinct score value. All items that share
// a value cross the threshold together, so a tie between members and non-members is a diagonal step (TPR and FPR
// move at once); no tie-breaking order is invented. The curve starts at (0,0) with threshold +infinity (nothing
// called a member) and ends at (1,1) with threshold = the lowest score (everything called a member). No point is
// dropped, so tp/fp at every achievable operating point are available (sklearn's drop_intermediate=False).
#include <cstddef>
#include <ostream>
#include <span>
#include <vector>

namespace speechleak::metrics {

struct RocPoint {
  double threshold = 0;  // member iff score >= threshold; +infinity for the first point
  size_t tp = 0;         // members with score >= threshold
  size_t fp = 0;         // non-members with score >= threshold
  double tpr = 0;        // tp / number of members
  double fpr = 0;        // fp / number of non-members
};

// Points ordered by decreasing threshold (so non-decreasing tpr and fpr). Validates the inputs (see inputs.h).
std::vector<RocPoint> roc_curve(std::span<const double> scores, std::span<const int> labels);

// CSV with header "threshold,fpr,tpr,tp,fp", one row per point; numbers in shortest round-trip form, the first
// threshold written as "inf". Readers find the columns by these names.
inline constexpr const char* kRocFprColumn = "fpr";
inline constexpr const char* kRocTprColumn = "tpr";
void write_roc_csv(std::ostream& out, std::span<const RocPoint> roc);

}  // namespace speechleak::metrics
