#pragma once
// The noise-masking attack on one set of utterances (targets or control): mask each trial's name with the fill,
// recognise, extract the slot, score it against the name and the name inventory (docs/noise-masking.md).
#include <string>
#include <vector>

#include "speechleak/asr/ctc_model.h"
#include "speechleak/asr/error_rates.h"
#include "speechleak/audio/audio.h"
#include "speechleak/noise_masking/config.h"
#include "speechleak/noise_masking/trials.h"
#include "speechleak/util/progress.h"

namespace speechleak::noise_masking {

enum class Outcome { Exact, OtherName, Other, Deleted };
std::string to_string(Outcome outcome);  // "exact" | "other-name" | "other" | "deleted"

struct TrialOutcome {
  std::string utt_id, speaker_id, name;
  std::string blanked;      // the reference with the slot as ____
  std::string hypothesis;   // of the masked audio (the chosen draw)
  std::string guess;        // slot words ("" = deleted)
  Outcome outcome = Outcome::Deleted;
  bool any_name = false;    // the guess is in the name inventory (the true name included)
  double context_wer = 0, context_cer = 0;
  size_t context_words = 0;
  double confidence = 0;    // mean max posterior over the frames of the masked target span
  int draws_agreeing = 1;   // draws that gave the chosen guess
  bool spellable = true;    // the recogniser's vocabulary can spell the name
  double masked_s = 0;      // audio seconds replaced (all mentions, padding included)
  std::string unmasked_hypothesis, unmasked_guess;  // empty when unmasked recognition is off
  bool exact() const { return outcome == Outcome::Exact; }
};

struct AttackReport {
  std::string set;  // "target" | "control" | a paired model's label
  TrialPlan plan;   // without its trials (moved into outcomes)
  SkipReport skipped;  // trials lost to unreadable audio, spans outside it, or recognition failures
  std::vector<TrialOutcome> outcomes;  // in corpus order
  size_t unspellable = 0;
  asr::ErrorTally unmasked_errors;     // whole utterances, unmasked (when config.unmasked)
  double audio_seconds = 0, wall_seconds = 0;
  size_t recognitions = 0;             // forward passes' utterances (masked draws + unmasked)
  std::string summary() const;
};

// The audio with every span replaced by the fill of `config` (level relative to the RMS of the aligned speech outside
// the spans; every sample outside them when the utterance has no alignment); same length. `seed` draws the noise.
std::vector<float> mask_spans(const corpus::Utterance& utterance, const audio::Audio& audio,
                              const std::vector<TimeSpan>& spans, const NoiseMaskConfig& config, uint64_t seed);

// Throws speechleak::Error when no trial could be run. Progress: stage "noise-mask <set>", one report per window.
AttackReport run_attack(const corpus::Corpus& corpus, const corpus::NameList& names, asr::CtcModel& model,
                        bool do_normalize, const NoiseMaskConfig& config, const std::string& set,
                        const ProgressCallback& progress = {});

}  // namespace speechleak::noise_masking
