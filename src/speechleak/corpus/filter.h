#pragma once
// Subsetting a corpus: at most N speakers, at most K utterances per speaker, durations in [min, max].
//
// Semantics (tested in tests/corpus/filter_test.cpp):
//  - Speakers are drawn uniformly at random among those that keep at least one utterance after the duration
//    filter; utterances uniformly among a speaker's utterances that pass it. Both walk a seeded permutation of
//    the sorted ids (util/random.h: derive_seed(seed, "speakers") and derive_seed(seed, "utterances/<speaker>"),
//    Fisher-Yates with uniform_index), so the result depends on the seed and the ids only, not on directory
//    order or the standard library, and a speaker's utterance sample does not change when other speakers come
//    or go.
//  - The walk stops as soon as enough items passed, so only the audio it visits is probed: max_speakers=20 on a
//    960 h corpus opens a few hundred headers, not 280 000.
//  - Durations: Utterance::duration_s when known (>= 0); else the segment bounds (Segment with end >= 0); else
//    the file header (audio::probe_audio; the result is stored in duration_s). Piped commands are not run to
//    measure them. An utterance whose duration cannot be found is skipped into Corpus::skipped ("unreadable
//    audio" / "duration unknown"), only when a duration bound is set. Bounds are inclusive.
//  - Filtering is deliberate, so dropped utterances are not "skipped"; FilterReport counts them. Speakers left
//    without utterances are removed from Corpus::speakers.
#include <cstdint>
#include <string>

#include "speechleak/corpus/corpus.h"
#include "speechleak/util/progress.h"

namespace speechleak::corpus {

struct FilterOptions {
  int64_t max_speakers = 0;          // 0: all speakers
  int64_t max_utts_per_speaker = 0;  // 0: all utterances
  double min_duration_s = 0.0;       // 0: no lower bound
  double max_duration_s = 0.0;       // 0: no upper bound
  uint64_t seed = 0;

  bool active() const;
  bool needs_durations() const { return min_duration_s > 0 || max_duration_s > 0; }
  void validate() const;  // throws InvalidArgument (negative values, min > max)
  std::string to_string() const;
};

struct FilterReport {
  size_t utterances_before = 0, utterances_after = 0;
  size_t speakers_before = 0, speakers_after = 0;
  size_t too_short = 0, too_long = 0;  // among the utterances visited
  size_t probed = 0;                   // headers opened
  size_t unknown_duration = 0;         // skipped into Corpus::skipped
  std::string summary() const;
};

// Filters `corpus` in place; a no-op when !options.active().
FilterReport apply_filters(Corpus& corpus, const FilterOptions& options, const ProgressCallback& progress = {});

// The duration of `u` in seconds as described above, storing a probed value in u.duration_s. Throws
// audio::AudioError when the header cannot be read, speechleak::Error for a piped source.
double utterance_duration(Utterance& u);

}  // namespace speechleak::corpus
