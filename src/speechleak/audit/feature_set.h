#pragma once
// One role's features (members, non-members, auxiliary, calibration) for one layer, read from a feature store.
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "speechleak/util/skip_report.h"

namespace speechleak::audit {

struct UtteranceFeatures {
  std::string utt_id, speaker_id, subset;
  int member = 0;           // 1 member, 0 non-member (auxiliary utterances are non-members by definition)
  int64_t frame_count = 0;
  at::Tensor mean;          // [D] float64
  at::Tensor unit_sum;      // [D] float64
  double unit_count = 0;    // frames with a nonzero norm (= frame_count for stores without L/unit_count)
  double euclidean = 0;     // mean pairwise euclidean frame distance (NaN below 2 frames)
  at::Tensor frames;        // [T, D] float16/float32, undefined unless frames were loaded
  // The store's per-utterance signals by array name, e.g. "pretext/masked_logp" (features/utterance_signal.h).
  std::map<std::string, double> signals;
};

struct FeatureSet {
  std::string role;                 // "members", "nonmembers", "aux", ...
  std::filesystem::path store;
  std::string model_fingerprint;
  std::string preprocessing;  // from store.json (e.g. whether audio was time-reversed)
  std::string signals;        // from store.json: the signals' descriptions ("" when the store has none)
  int layer = 0;
  int64_t width = 0;
  std::vector<UtteranceFeatures> utterances;  // sorted by utt_id

  std::vector<std::string> speaker_ids() const;  // sorted; records without a speaker_id are not counted
};

// Reads `layer` of every record; with need_frames, the store must hold frames (error otherwise, naming the store
// and the extract option that adds them). A negative layer means the highest layer the store holds.
FeatureSet load_feature_set(const std::filesystem::path& store, const std::string& role, int member, int layer,
                            bool need_frames);

// Keeps at most n utterances per speaker (seeded draw, per speaker, independent of other speakers).
void cap_utterances_per_speaker(FeatureSet& set, int n, uint64_t seed);

}  // namespace speechleak::audit
