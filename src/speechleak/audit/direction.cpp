#include "speechleak/audit/direction.h"

#include <algorithm>
#include <set>

#include "speechleak/metrics/auc.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::audit {
namespace {

// Moves the utterances of `count` seeded speakers of `from` into `to`.
void move_speakers(FeatureSet& from, FeatureSet& to, int count, uint64_t seed) {
  auto speakers = from.speaker_ids();
  if (static_cast<int>(speakers.size()) <= count)
    throw invalid_argument("calibration speakers for " + from.role,
                           "fewer than the " + std::to_string(speakers.size()) + " speakers there (some must remain "
                           "for evaluation)", std::to_string(count));
  seeded_shuffle(speakers, derive_seed(seed, "calibration:" + from.role));
  std::set<std::string> chosen(speakers.begin(), speakers.begin() + count);
  std::vector<UtteranceFeatures> keep;
  for (auto& u : from.utterances) (chosen.count(u.speaker_id) ? to.utterances : keep).push_back(std::move(u));
  from.utterances = std::move(keep);
}

}  // namespace

FeatureSet split_calibration(FeatureSet& members, FeatureSet& nonmembers, int per_side, uint64_t seed) {
  if (per_side < 1) throw invalid_argument("calibration speakers", ">= 1 per side", std::to_string(per_side));
  FeatureSet cal{"calibration", members.store, members.model_fingerprint, members.preprocessing, members.signals,
                 members.layer, members.width, {}};
  move_speakers(members, cal, per_side, seed);
  move_speakers(nonmembers, cal, per_side, seed);
  std::sort(cal.utterances.begin(), cal.utterances.end(),
            [](const auto& a, const auto& b) { return a.utt_id < b.utt_id; });
  return cal;
}

ScoreDirection calibrated_direction(const std::vector<double>& raw, const std::vector<int>& labels, double* auc) {
  const double a = metrics::roc_auc(raw, labels);
  if (auc) *auc = a;
  return a >= 0.5 ? ScoreDirection::High : ScoreDirection::Low;
}

}  // namespace speechleak::audit
