#pragma once
// Scores of utterances and speakers, before and after a direction is applied.
#include <string>
#include <vector>

#include "speechleak/audit/feature_set.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::audit {

enum class Distance { Cosine, Euclidean };
Distance parse_distance(const std::string& name);  // "cosine" | "euclidean"
std::string to_string(Distance d);

// One scored item: an utterance (n_utts = 1) or a speaker.
struct ScoredItem {
  std::string id, speaker_id, subset;
  int member = 0;
  int n_utts = 1;
  double raw = 0;  // the attack's own score (distance, similarity, logit, probability)
};

struct ScoredSet {
  std::vector<ScoredItem> items;
  SkipReport skipped;  // items that could not be scored, with the reason
};

// Basic utterance score: mean pairwise frame distance (cosine from the stored summary, or euclidean).
// Utterances with fewer than 2 frames are skipped.
ScoredSet basic_utterance_scores(const std::vector<const FeatureSet*>& sets, Distance distance);

// Basic speaker score: mean pairwise cosine similarity of the speaker's utterance means. Speakers with fewer than
// `min_utts` utterances are skipped. A speaker is a member when its utterances are (all of one speaker's
// utterances must agree; mixed speakers are an error naming them).
ScoredSet basic_speaker_scores(const std::vector<const FeatureSet*>& sets, int min_utts = 2);

// Utterances grouped by speaker, in utt_id order, with the speaker's membership. Utterances whose store record has
// no speaker_id belong to no speaker: they are left out and, with `skipped`, counted there.
struct SpeakerGroup {
  std::string speaker_id, subset;
  int member = 0;
  std::vector<const UtteranceFeatures*> utterances;
};
std::vector<SpeakerGroup> group_by_speaker(const std::vector<const FeatureSet*>& sets, SkipReport* skipped = nullptr);

}  // namespace speechleak::audit
