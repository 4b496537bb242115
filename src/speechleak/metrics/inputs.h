#pragma once
// Input checks shared by every metric in this room.
//
// Data layout (all metric functions): `scores` and `labels` are parallel arrays, item i has score scores[i] and
// label labels[i]. Label 1 = member (in the training set), 0 = non-member. A HIGHER score means "more likely a
// member"; a caller whose attack score points the other way negates it first.
#include <cstddef>
#include <span>
#include <vector>

namespace speechleak::metrics {

struct ClassCounts {
  size_t members = 0;     // items with label 1
  size_t nonmembers = 0;  // items with label 0
};

// Throws InvalidArgument (naming "scores", "labels", "scores[i]" or "labels[i]") unless: the spans have equal
// length, every score is finite, every label is 0 or 1, and both classes occur at least once.
ClassCounts check_scores_and_labels(std::span<const double> scores, std::span<const int> labels);

// The scores of one class, in input order (no checks).
std::vector<double> scores_with_label(std::span<const double> scores, std::span<const int> labels, int label);

}  // namespace speechleak::metrics
