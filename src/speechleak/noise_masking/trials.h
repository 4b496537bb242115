#pragma once
// Which utterances the attack can run on, and what it masks in each.
//
// One trial per (utterance, distinct name it mentions). Every mention of that name in the utterance is masked (a
// second, audible mention would give the name away without any memorisation); the target slot is its first
// mention, and the other mentions are left out of both the guess and the context. Other names the utterance
// mentions stay audible and count as context. Multi-word names ("ALICE MORGAN") are one slot of several words.
//
// Mention times come from names.tsv rows or the utterance's word alignment (corpus/names.h); mention positions in
// the transcript from matching the name list against its normalised words. Skipped, with the reason counted:
// no transcript; no alignment (the name cannot be located in time); times and transcript that disagree (a
// different number of mentions). Utterances that mention no listed name are not targets and are only counted.
#include <string>
#include <utility>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/names.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::noise_masking {

struct TimeSpan {
  double start_s = 0, end_s = 0;
};

struct Trial {
  const corpus::Utterance* utterance = nullptr;
  std::string name;                   // normalised words joined by spaces
  std::vector<std::string> words;     // the normalised transcript
  size_t slot_first = 0, slot_count = 0;              // the target slot in `words`
  std::vector<std::pair<size_t, size_t>> other_slots;  // further mentions of the name (first, count)
  std::vector<TimeSpan> spans;        // every mention of the name, as aligned (no padding)

  std::string blanked() const;  // the transcript with the target slot as "____" (other mentions too)
};

struct TrialPlan {
  std::vector<Trial> trials;
  size_t utterances = 0;          // in the corpus
  size_t without_names = 0;       // utterances that mention no listed name
  SkipReport skipped;             // utterances that mention a name but cannot be attacked
  size_t attacked = 0;            // utterances with at least one trial
  size_t trial_count = 0;         // trials planned (trials may since have been moved out)
  std::string summary() const;    // "58 of 60 utterances with names attacked; 2 skipped (...) (62 trials; ...)"
};

TrialPlan plan_trials(const corpus::Corpus& corpus, const corpus::NameList& names);

}  // namespace speechleak::noise_masking
