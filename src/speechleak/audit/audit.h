#pragma once
// A membership-inference audit over feature stores: basic and improved attacks at utterance and speaker level,
// the difficulty-calibrated quantile attack, and the reference-calibrated LiRA and RMIA (calibrated_attacks.h),
// with the direction rule recorded, metrics with bootstrap intervals, and warnings about the data.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "speechleak/attack/improved_attacks.h"
#include "speechleak/audit/blind_baseline.h"
#include "speechleak/audit/calibrated_attacks.h"
#include "speechleak/audit/scoring.h"
#include "speechleak/metrics/summary.h"
#include "speechleak/util/progress.h"
#include "speechleak/util/score_direction.h"

namespace speechleak::audit {

struct AuditConfig {
  std::vector<std::string> levels{"utterance", "speaker"};  // subset of {utterance, speaker}
  // Subset of {basic, improved, quantile} and the calibrated attacks {lira, lira-offline, lira-mean, rmia,
  // rmia-offline}. quantile (difficulty_calibration.h) runs at utterance level only and needs
  // AuditInputs::descriptors (audio): without them it is skipped with a warning (the audit pipeline drops it from
  // audits of feature stores, with a log line, instead). The calibrated attacks need AuditInputs::references;
  // lira-mean runs at speaker level only.
  std::vector<std::string> attacks{"basic", "improved", "quantile"};
  int layer = -1;                                           // -1: the highest layer in the stores
  Distance distance = Distance::Cosine;
  // Which way the basic scores point (util/score_direction.h): `direction` (High, the paper's rule, by default),
  // or, with calibrate_direction, chosen per level on a labelled calibration split (speakers held out of the
  // evaluation).
  ScoreDirection direction = ScoreDirection::High;
  bool calibrate_direction = false;
  int calibration_speakers = 2;  // per side (members, non-members) when calibrating
  int max_utts_per_speaker = 0;  // 0 = all
  int min_utts_per_speaker = 2;  // speaker level
  uint64_t seed = 0;
  // The blind baseline (blind_baseline.h) on the evaluated utterances, when the audit reads audio (a model and
  // corpora, not feature stores): seeded with `seed`, bootstrapped like the metrics.
  bool blind_baseline = true;
  attack::UtteranceAttackConfig improved_utterance;
  attack::SpeakerAttackConfig improved_speaker;
  metrics::MetricsConfig metrics;
  CalibratedConfig calibrated;

  void validate() const;
  nlohmann::json to_json() const;
  // --direction: "high" | "low" | "calibrate" (sets direction or calibrate_direction).
  void set_direction(const std::string& name);
  std::string direction_option() const;  // the --direction value that gives this config
  bool wants(const std::string& level, const std::string& attack) const;
};

// Model-independent audio descriptors by utterance id (pipeline/audio_descriptors.h), for the quantile attack.
using DescriptorMap = std::map<std::string, std::vector<double>>;

// A reference model's feature stores of the audit's three roles, and which of their items it trained on.
struct ReferenceInputs {
  std::string name;                                // e.g. "000"
  std::filesystem::path members, nonmembers, aux;  // its stores of the same utterances as the target's
  std::set<std::string> trained_utterances;        // utterance ids it trained on
  std::set<std::string> trained_speakers;          // speakers it trained on whole (when speaker_keep)
  bool speaker_keep = false;
};

struct AuditInputs {
  std::filesystem::path members, nonmembers, aux;  // feature stores
  const DescriptorMap* descriptors = nullptr;      // needed by the quantile attack; may be null otherwise
  std::vector<ReferenceInputs> references;         // needed by the calibrated attacks
};

struct AttackResult {
  std::string level, attack;
  ScoreDirection direction = ScoreDirection::High;  // applied to raw scores to get scores
  std::string direction_source;  // how it was chosen
  // The paper's rule was applied: scores point high and, for the improved attacks, the high end of the auxiliary
  // basic-score ranking was labelled "seen" (whether by default or because calibration chose it).
  bool paper_direction = true;
  std::vector<ScoredItem> items;
  std::vector<double> scores;    // oriented: higher = more likely member
  metrics::MetricsSummary metrics;
  SkipReport skipped;
  nlohmann::json details;        // pseudo-labels, training log, ...
  // Calibrated attacks only, aligned with items: which reference trained on each item (runs x items) and every
  // model's signal (the target's row first, then one per run), as written to RUN/npy.
  std::vector<std::vector<bool>> keep;
  std::vector<std::vector<double>> model_signals;
};

struct AuditResult {
  int layer = 0;
  std::string model_fingerprint;
  std::vector<AttackResult> results;
  std::vector<std::string> warnings;
  nlohmann::json counts;  // utterances and speakers per role
  std::optional<BlindBaseline> blind_baseline;  // set by the audit pipeline when it had the audio
};

AuditResult run_audit(const AuditInputs& inputs, const AuditConfig& config, const ProgressCallback& progress = {});

// The paper's Table 1 shape: rows level x attack; AUC [interval], TPR@1%FPR, TPR@0.1%FPR, direction; above it the
// blind baseline's line when there is one.
std::string format_table(const AuditResult& result);
// "0.9362 [0.896, 0.969]": the AUC and, when bootstrapped, its interval, with these many decimals.
std::string format_auc(const metrics::MetricsSummary& metrics, int digits = 4, int interval_digits = 3);

}  // namespace speechleak::audit
