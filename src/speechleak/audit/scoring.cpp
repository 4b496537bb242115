#include "speechleak/audit/scoring.h"

#include <ATen/ATen.h>

#include <cmath>
#include <map>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/util/error.h"

namespace speechleak::audit {

Distance parse_distance(const std::string& name) {
  if (name == "cosine") return Distance::Cosine;
  if (name == "euclidean") return Distance::Euclidean;
  throw invalid_argument("distance", "cosine or euclidean", "'" + name + "'");
}

std::string to_string(Distance d) { return d == Distance::Cosine ? "cosine" : "euclidean"; }

ScoredSet basic_utterance_scores(const std::vector<const FeatureSet*>& sets, Distance distance) {
  ScoredSet out;
  for (const auto* set : sets)
    for (const auto& u : set->utterances) {
      if (u.frame_count < 2) {
        out.skipped.add(u.utt_id, set->store.string(),
                        "fewer than 2 frames: " + std::to_string(u.frame_count) + " (a pairwise score needs 2)");
        continue;
      }
      const double raw = distance == Distance::Cosine
                             ? attack::utterance_cosine_distance_from_summary(u.frame_count, u.unit_sum, u.unit_count)
                             : u.euclidean;
      if (!std::isfinite(raw))
        throw invalid_argument("features of utterance " + u.utt_id + " in " + set->store.string(), "finite values",
                               "NaN or infinity");
      out.items.push_back({u.utt_id, u.speaker_id, u.subset, u.member, 1, raw});
    }
  return out;
}

std::vector<SpeakerGroup> group_by_speaker(const std::vector<const FeatureSet*>& sets, SkipReport* skipped) {
  std::map<std::string, SpeakerGroup> groups;
  for (const auto* set : sets)
    for (const auto& u : set->utterances) {
      if (u.speaker_id.empty()) {
        if (skipped) skipped->add(u.utt_id, set->store.string(), "no speaker_id in the store's meta");
        continue;
      }
      auto [it, fresh] = groups.try_emplace(u.speaker_id);
      auto& g = it->second;
      if (fresh) {
        g.speaker_id = u.speaker_id;
        g.subset = u.subset;
        g.member = u.member;
      } else if (g.member != u.member) {
        throw invalid_argument("speaker " + u.speaker_id,
                               "utterances that are all members or all non-members", "both (in " + set->role + ")");
      }
      g.utterances.push_back(&u);
    }
  std::vector<SpeakerGroup> out;
  for (auto& [id, g] : groups) {
    std::sort(g.utterances.begin(), g.utterances.end(),
              [](const auto* a, const auto* b) { return a->utt_id < b->utt_id; });
    out.push_back(std::move(g));
  }
  return out;
}

ScoredSet basic_speaker_scores(const std::vector<const FeatureSet*>& sets, int min_utts) {
  ScoredSet out;
  for (const auto& g : group_by_speaker(sets, &out.skipped)) {
    if (static_cast<int>(g.utterances.size()) < std::max(2, min_utts)) {
      out.skipped.add(g.speaker_id, "",
                      "too few utterances: " + std::to_string(g.utterances.size()) + " (at least " +
                          std::to_string(std::max(2, min_utts)) + " needed)");
      continue;
    }
    std::vector<at::Tensor> means;
    for (const auto* u : g.utterances) {
      if (!at::isfinite(u->mean).all().item<bool>())
        throw invalid_argument("mean features of utterance " + u->utt_id + " (speaker " + g.speaker_id + ")",
                               "finite values", "NaN or infinity");
      means.push_back(u->mean);
    }
    out.items.push_back({g.speaker_id, g.speaker_id, g.subset, g.member, static_cast<int>(g.utterances.size()),
                         attack::speaker_cosine_similarity(means)});
  }
  return out;
}

}  // namespace speechleak::audit
