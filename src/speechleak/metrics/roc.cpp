#include "speechleak/metrics/roc.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "speechleak/util/number_format.h"
#include "speechleak/metrics/inputs.h"

namespace speechleak::metrics {

std::vector<RocPoint> roc_curve(std::span<const double> scores, std::span<const int> labels) {
  const ClassCounts counts = check_scores_and_labels(scores, labels);
  std::vector<std::pair<double, int>> items(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) items[i] = {scores[i], labels[i]};
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  const double n1 = static_cast<double>(counts.members);
  const double n0 = static_cast<double>(counts.nonmembers);
  std::vector<RocPoint> roc;
  roc.push_back({std::numeric_limits<double>::infinity(), 0, 0, 0.0, 0.0});
  size_t tp = 0, fp = 0;
  for (size_t i = 0; i < items.size();) {
    // Consume the whole run of equal scores before emitting: tied items share one threshold.
    const double value = items[i].first;
    for (; i < items.size() && items[i].first == value; ++i) (items[i].second == 1 ? tp : fp) += 1;
    roc.push_back({value, tp, fp, static_cast<double>(tp) / n1, static_cast<double>(fp) / n0});
  }
  return roc;
}

void write_roc_csv(std::ostream& out, std::span<const RocPoint> roc) {
  out << "threshold," << kRocFprColumn << "," << kRocTprColumn << ",tp,fp\n";
  for (const RocPoint& p : roc)
    out << text::shortest(p.threshold) << ',' << text::shortest(p.fpr) << ',' << text::shortest(p.tpr) << ','
        << p.tp << ',' << p.fp << '\n';
}

}  // namespace speechleak::metrics
