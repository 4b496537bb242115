#pragma once
// From a planned utterance to 16 kHz audio with word spans: espeak-ng speaks the chapter (one worker per
// chapter, see espeak_engine.h), word spans come from its events (word_timing.h), the audio is resampled from
// espeak-ng's 22,050 Hz, padded with the planned silences, and noise is added last (spans are measured on the
// clean signal).
#include <vector>

#include "speechleak/audio/audio.h"
#include "speechleak/corpus/corpus.h"
#include "speechleak/synth/espeak_engine.h"
#include "speechleak/synth/plan.h"

namespace speechleak::synth {

struct RenderedUtterance {
  audio::Audio audio;                   // 16 kHz mono
  std::vector<corpus::WordSpan> words;  // one per transcript word, seconds from the start of `audio`
};

// What espeak-ng is asked to speak for `u`; `word_offsets` receives each word's byte offset in the text.
EspeakRequest espeak_request(const UtterancePlan& u, std::vector<size_t>* word_offsets);

// Throws speechleak::Error when the events do not match the transcript's words.
RenderedUtterance render(const UtterancePlan& u, const EspeakResult& spoken, int espeak_rate);

// Speaks and renders every utterance of the chapter, in order.
std::vector<RenderedUtterance> synthesize_chapter(const ChapterPlan& chapter);

}  // namespace speechleak::synth
