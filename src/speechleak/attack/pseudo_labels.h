#pragma once
// Pseudo-labelling of the attacker's auxiliary set by a basic score (Tseng et al.): the k highest-ranked items
// are taken as "seen", the k lowest as "unseen", and the next k on each side form a validation set.
#include <cstdint>
#include <string>
#include <vector>

namespace speechleak::attack {

// Which end of the basic-score ranking is treated as "seen". The paper: high (members score above non-members).
// On small self-pretrained models the opposite has been measured, so it is a choice the caller records.
enum class SeenEnd { High, Low };
SeenEnd parse_seen_end(const std::string& name);  // "high" | "low"
std::string to_string(SeenEnd end);

struct PseudoLabels {
  std::vector<int64_t> train_seen, train_unseen;  // indices into the auxiliary set
  std::vector<int64_t> val_seen, val_unseen;
};

// Ranks `scores` (ties broken by index, so the result is deterministic) and picks k per side for training and
// k per side for validation. Needs 4k items; throws InvalidArgument naming k, the set size and what it needs.
PseudoLabels pseudo_label(const std::vector<double>& scores, int64_t k, SeenEnd seen, const std::string& what);

}  // namespace speechleak::attack
