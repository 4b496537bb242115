#pragma once
// Word spans from espeak-ng's word events.
//
// espeak-ng reports where each word STARTS (the sample at which its first phoneme is generated, pauses before it
// included in the previous word's stretch). A word therefore runs from its start to the next word's start (the
// last word to the end of speech), and that stretch ends with whatever pause follows the word (comma pauses,
// espeakWORDGAP). The pause is trimmed by energy: the span ends after the last 5 ms frame whose RMS reaches
// kTrimThresholdDb below the loudest frame of the utterance, plus a kTrimMarginS margin. Measured on the clean
// synthetic signal, before any noise is added, so the boundaries do not depend on the SNR drawn.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "speechleak/synth/espeak_engine.h"

namespace speechleak::synth {

inline constexpr double kTrimThresholdDb = -35.0;
inline constexpr double kTrimMarginS = 0.010;
inline constexpr double kMinWordS = 0.020;

struct SampleSpan {
  int64_t start = 0;
  int64_t end = 0;  // exclusive
};

// The start sample of each transcript word: the event whose text offset equals the word's byte offset in the
// spoken text. Throws speechleak::Error (quoting `text`) when a word has no event, an event matches no word, or
// events are out of order: the transcript and the audio would disagree.
std::vector<int64_t> word_starts(const std::vector<EspeakWord>& events, const std::vector<size_t>& word_offsets,
                                 const std::string& text);

// Spans from the starts and the end of speech, with trailing pauses trimmed (see above).
std::vector<SampleSpan> word_spans(const std::vector<int64_t>& starts, int64_t end_of_speech,
                                   std::span<const int16_t> samples, int sample_rate);

}  // namespace speechleak::synth
