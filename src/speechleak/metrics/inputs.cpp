#include "speechleak/metrics/inputs.h"

#include <cmath>
#include <sstream>
#include <string>

#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::metrics {

namespace {

std::string format_score(double x) { return text::general(x); }

}  // namespace

ClassCounts check_scores_and_labels(std::span<const double> scores, std::span<const int> labels) {
  if (scores.size() != labels.size())
    throw invalid_argument("labels", std::to_string(scores.size()) + " labels (one per score)",
                           std::to_string(labels.size()));
  ClassCounts counts;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i]))
      throw invalid_argument("scores[" + std::to_string(i) + "]", "a finite score", format_score(scores[i]));
    if (labels[i] != 0 && labels[i] != 1)
      throw invalid_argument("labels[" + std::to_string(i) + "]", "0 (non-member) or 1 (member)",
                             std::to_string(labels[i]));
    (labels[i] == 1 ? counts.members : counts.nonmembers) += 1;
  }
  // Without both classes no rate is defined (TPR needs members, FPR non-members).
  if (counts.members == 0)
    throw invalid_argument("labels", "at least one member (label 1)",
                           "none among " + std::to_string(scores.size()) + " items");
  if (counts.nonmembers == 0)
    throw invalid_argument("labels", "at least one non-member (label 0)",
                           "none among " + std::to_string(scores.size()) + " items");
  return counts;
}

std::vector<double> scores_with_label(std::span<const double> scores, std::span<const int> labels, int label) {
  std::vector<double> out;
  for (size_t i = 0; i < scores.size(); ++i)
    if (labels[i] == label) out.push_back(scores[i]);
  return out;
}

}  // namespace speechleak::metrics
