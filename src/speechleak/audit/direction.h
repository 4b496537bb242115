#pragma once
// Choosing the direction of a score without looking at the evaluation data.
#include <string>
#include <vector>

#include "speechleak/audit/feature_set.h"
#include "speechleak/util/score_direction.h"

namespace speechleak::audit {

// Moves `per_side` seeded speakers of members and of non-members out of the evaluation sets into a calibration
// set (speaker-disjoint from the evaluation). Throws InvalidArgument when a side has too few speakers to keep
// at least one for evaluation.
FeatureSet split_calibration(FeatureSet& members, FeatureSet& nonmembers, int per_side, uint64_t seed);

// High when members' raw scores rank above non-members' on the calibration items (AUC >= 0.5), else Low.
ScoreDirection calibrated_direction(const std::vector<double>& raw, const std::vector<int>& labels, double* auc);

}  // namespace speechleak::audit
