#pragma once
// The one-run canary audit (Steinke, Nasr and Jagielski, NeurIPS 2023; docs/calibrated-attacks.md) of a model
// pretrained on a canary set's inserted half (`speechleak canaries make`, synth/canaries.h): score every canary
// with the model, guess "in" for the k+ highest and "out" for the k- lowest (k+ and k- fixed before scoring), and
// turn the correct guesses into an epsilon lower bound; plus each inserted canary's exposure among the held-out ones.
//
// A canary is an utterance, or (speaker canaries) a speaker and its utterances. Scores: the pretext signal
// (train/pretext_signal.h; higher = member) when the model carries its pretraining head, else the basic score
// oriented by `direction` (the utterance's mean pairwise cosine distance; a speaker's mean utterance-mean cosine
// similarity) — a direction that must be chosen before looking, like k+ and k-.
//
// OUT: features/ (a resumable feature store of the canaries), scores.tsv (canary, set, score, guess, exposure),
// canary_audit.json (written last: config, counts, bound, exposure summary, versions).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "speechleak/metrics/one_run_audit.h"
#include "speechleak/util/progress.h"
#include "speechleak/util/score_direction.h"

namespace speechleak::encoder {
class Encoder;
}

namespace speechleak::pipeline {

struct CanaryAuditConfig {
  std::string signal = "auto";  // "auto" (pretext when the model has its head, else basic), "basic", "pretext"
  ScoreDirection direction = ScoreDirection::High;  // of the basic signal; the pretext signal always points high
  double guess_fraction = 0.25;  // k+ = k- = round(fraction x canaries) unless set below
  int guesses_in = -1, guesses_out = -1;  // k+, k- (-1: from guess_fraction)
  double delta = 0, p = 0.05;
  uint64_t seed = 0;  // pretext masks
  int layer = -1;     // basic signal: hidden state (-1 = last)
  void validate() const;  // InvalidArgument naming the flag
  nlohmann::json to_json() const;
};

struct CanaryScore {
  std::string id;       // utterance id, or speaker id for speaker canaries
  bool inserted = false;
  double score = 0;     // higher = more member-like
  int guess = 0;        // +1 in, -1 out, 0 abstained
  double exposure = 0;  // inserted canaries: among the held-out ones (log2 |R| - log2 rank); NaN for held-out ones
};

struct CanaryAuditResult {
  std::string unit;                 // "utterance" | "speaker"
  std::string signal;               // resolved
  metrics::OneRunCounts counts;     // m, r, v
  size_t guesses_in = 0, guesses_out = 0;
  double epsilon_lower_bound = 0;
  double p_value_no_leak = 1;       // of eps = 0
  double mean_exposure = 0, max_exposure = 0, exposure_ceiling = 0;  // ceiling: log2(held-out + 1)
  double auc = 0.5;                 // of the scores, inserted vs held out (for orientation, not the bound)
  std::vector<CanaryScore> canaries;
  nlohmann::json to_json() const;
  std::string summary() const;      // the lines `speechleak canaries audit` prints
};

// Throws InvalidArgument for a bad config, FileError/FormatError for a directory that is not a canary set
// (`speechleak canaries make` or `speechleak synth --canaries`), Error when fewer than 2 canaries can be scored.
CanaryAuditResult run_canary_audit(encoder::Encoder& model, const std::filesystem::path& model_path,
                                   const std::filesystem::path& canaries_dir, const std::filesystem::path& out,
                                   const CanaryAuditConfig& config, const ProgressCallback& progress = {});

}  // namespace speechleak::pipeline
