#pragma once
// The reference-calibrated attacks of an audit (docs/calibrated-attacks.md): LiRA and RMIA over per-item signals
// of the target model and of reference models whose training data is known (references/reference_runs.h).
//
// Attacks (AuditConfig::attacks): "loss" (the uncalibrated pretext signal, for comparison: no references), "lira"
// (online: IN and OUT Gaussians per item), "lira-offline" (one-sided test
// against the OUT Gaussian), "rmia" (online p(x)) and "rmia-offline" (p(x) from OUT runs with the factor a), at
// utterance and speaker level; at speaker level also "lira-mean", the mean of the speaker's utterance-level LiRA
// scores (online when the references allow it, else offline), which works when references kept utterances rather
// than whole speakers.
//
// Signals, each computed the same way for every model (higher = more member-like):
//  - "basic": the basic score oriented by the audit's direction rule; for LiRA Fisher-z transformed (atanh of the
//    mean cosine similarity), for RMIA mapped into (0, 1] (1 - d/2 or d/2 for a distance, (1 +- s)/2 for a
//    similarity);
//  - "pretext": the model's pretext probability (train/pretext_signal.h), stored in the feature stores; for LiRA its
//    logit, for RMIA the probability itself (a speaker's: the mean over its utterances).
// "auto" picks pretext when every store of the target and the references holds it, basic otherwise.
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "speechleak/attack/calibrated.h"
#include "speechleak/audit/feature_set.h"
#include "speechleak/audit/scoring.h"
#include "speechleak/util/score_direction.h"

namespace speechleak::audit {

struct AuditConfig;

struct CalibratedConfig {
  std::string signal = "auto";  // "auto" | "basic" | "pretext"
  attack::LiraConfig lira;      // fixed variance by default (better below ~64 runs)
  attack::RmiaConfig rmia;      // gamma; offline_a is used when it cannot be tuned
  bool tune_rmia_a = true;      // tune a on the references (each in turn as the target) when they have IN runs
  void validate() const;
  std::string to_string() const;
};

// The calibrated attack names AuditConfig accepts, and whether a name is one of them.
const std::vector<std::string>& calibrated_attack_names();
bool is_calibrated_attack(const std::string& attack);
// Online attacks need references that trained on the candidates; every calibrated attack but "loss" needs
// references.
bool needs_online_references(const std::string& attack);
bool needs_references(const std::string& attack);

// One reference model's features of the audit's roles and what it trained on.
struct ReferenceFeatures {
  std::string name;  // e.g. "000"
  FeatureSet members, nonmembers, aux;
  std::set<std::string> trained_utterances;  // evaluated or auxiliary utterance ids it trained on
  std::set<std::string> trained_speakers;    // whole speakers it trained on (speaker keep matrices only)
  bool speaker_keep = false;                 // trained_speakers is meaningful
};

// The target's features, as the audit evaluates them: the evaluated sets (calibration speakers removed, capped) and
// the auxiliary set (the RMIA population).
struct TargetFeatures {
  std::vector<const FeatureSet*> eval;
  const FeatureSet* aux = nullptr;
};

struct CalibratedScores {
  ScoredSet scored;          // raw = the calibrated score (higher = member)
  std::string description;   // how the score was made (direction_source of the result)
  nlohmann::json details;    // signal, runs, IN/OUT counts, a, ...
  std::vector<std::vector<bool>> keep;              // runs x scored items
  std::vector<std::vector<double>> model_signals;   // (1 + runs) x scored items: the target's first (LiRA form)
};

// The uncalibrated counterpart on the pretext signal ("loss", the loss attack of Yeom et al. 2018): each item's own
// pretext log-probability (a speaker's: the mean over its utterances), higher = member; no reference model. Items
// whose stores lack the signal are skipped; InvalidArgument when none has it.
CalibratedScores pretext_loss_scores(const std::string& level, const ScoredSet& items, const TargetFeatures& target,
                                     const AuditConfig& config);

// The signal "auto" resolves to for these features.
std::string resolve_signal(const std::string& signal, const TargetFeatures& target,
                           const std::vector<ReferenceFeatures>& refs);

// Scores `items` (the basic attack's evaluated items at `level`) with `attack`. `rule` orients the basic signal.
// Items a reference cannot score, or without the IN/OUT runs the attack needs, are skipped with the reason. Throws
// InvalidArgument when no reference is given, or an online attack gets references without IN runs.
CalibratedScores calibrated_scores(const std::string& level, const std::string& attack, const ScoredSet& items,
                                   const TargetFeatures& target, const std::vector<ReferenceFeatures>& refs,
                                   ScoreDirection rule, const AuditConfig& config);

}  // namespace speechleak::audit
