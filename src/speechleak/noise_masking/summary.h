#pragma once
// The metrics of a noise-masking run (docs/noise-masking.md):
//   Exact(S)   share of trials whose guess is the true name        AnyName(S)  share whose guess is in the inventory
//   precision  #exact / #any-name
//   filtered   at context-WER threshold tau (and, separately, slot-confidence threshold theta): kept trials only,
//              precision(tau) = #(exact, kept) / #(any-name, kept), recall(tau) = #(exact, kept) / |S|
//   gap        Exact(T) - Exact(C), one-sided Fisher exact test (targets higher), Wilson 95% intervals
//   paired     the same trials through a second recogniser (an encoder pretrained without the targets): exact
//              McNemar test on the discordant pairs
//   baselines  chance 1/|N|, and the most frequent name of the inventory's use (the guess that is right most often
//              on this set: an upper bound for a guesser that ignores the audio)
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/metrics/proportions.h"
#include "speechleak/noise_masking/attack.h"

namespace speechleak::noise_masking {

// The context filter: a trial is kept at tau when its context WER is at most tau.
inline bool kept_at(const TrialOutcome& o, double tau) { return o.context_wer <= tau + 1e-12; }

struct RateCounts {
  size_t trials = 0, exact = 0, any_name = 0, other = 0, deleted = 0, unmasked_exact = 0;
  double exact_rate() const { return trials ? double(exact) / double(trials) : 0.0; }
  double any_name_rate() const { return trials ? double(any_name) / double(trials) : 0.0; }
  double precision() const { return any_name ? double(exact) / double(any_name) : 0.0; }
  nlohmann::json to_json() const;  // with Wilson intervals
};

struct FilterPoint {
  double threshold = 0;
  size_t kept = 0, exact = 0, any_name = 0;
  double precision() const { return any_name ? double(exact) / double(any_name) : 0.0; }
};

struct SetSummary {
  std::string set;
  RateCounts counts;
  std::vector<FilterPoint> by_tau, by_theta;
  double chance = 0;                // 1 / |inventory|
  std::string most_frequent_name;   // among this set's true names
  double most_frequent_rate = 0;    // share of trials whose true name it is
  std::optional<asr::ErrorTally::Counts> unmasked;  // WER/CER of the whole utterances, unmasked
  nlohmann::json to_json() const;
};

SetSummary summarise_set(const AttackReport& report, size_t inventory_size, const NoiseMaskConfig& config);

struct Comparison {
  std::string first, second;     // set labels
  double gap = 0;                // Exact(first) - Exact(second)
  double p_value = 1;            // one-sided: first is higher
  std::string test;              // "fisher" | "mcnemar"
  size_t only_first = 0, only_second = 0;  // McNemar's discordant pairs
  nlohmann::json to_json() const;
};

Comparison compare_unpaired(const SetSummary& target, const SetSummary& control);
// Pairs trials by (utterance, name); throws InvalidArgument when the two reports do not hold the same trials.
Comparison compare_paired(const AttackReport& target, const AttackReport& paired);

}  // namespace speechleak::noise_masking
