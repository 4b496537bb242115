#pragma once
// Pseudo-labelling of the attacker's auxiliary set by a basic score (Tseng et al.): the k highest-ranked items
// are taken as "seen", the k lowest as "unseen", and the next k on each side form a validation set.
#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/util/score_direction.h"

namespace speechleak::attack {


struct PseudoLabels {
  std::vector<int64_t> train_seen, train_unseen;  // indices into the auxiliary set
  std::vector<int64_t> val_seen, val_unseen;
};

// Ranks `scores` (ties broken by index, so the result is deterministic) and picks k per side for training and
// k per side for validation; `seen` is the end of the ranking treated as "seen" (the paper: high). Needs 4k items; throws InvalidArgument naming k, the set size and what it needs.
PseudoLabels pseudo_label(const std::vector<double>& scores, int64_t k, ScoreDirection seen, const std::string& what);

}  // namespace speechleak::attack
