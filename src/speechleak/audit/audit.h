#pragma once
// A membership-inference audit over feature stores: basic and improved attacks at utterance and speaker level,
// with the direction rule recorded, metrics with bootstrap intervals, and warnings about the data.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "speechleak/attack/improved_attacks.h"
#include "speechleak/audit/blind_baseline.h"
#include "speechleak/audit/scoring.h"
#include "speechleak/metrics/summary.h"
#include "speechleak/util/progress.h"
#include "speechleak/util/score_direction.h"

namespace speechleak::audit {

struct AuditConfig {
  std::vector<std::string> levels{"utterance", "speaker"};  // subset of {utterance, speaker}
  std::vector<std::string> attacks{"basic", "improved"};    // subset of {basic, improved}
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

  void validate() const;
  nlohmann::json to_json() const;
  // --direction: "high" | "low" | "calibrate" (sets direction or calibrate_direction).
  void set_direction(const std::string& name);
  std::string direction_option() const;  // the --direction value that gives this config
  bool wants(const std::string& level, const std::string& attack) const;
};

struct AuditInputs {
  std::filesystem::path members, nonmembers, aux;  // feature stores
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
