#pragma once
// Canaries: utterances a model owner inserts into pretraining data in order to test later whether the model
// memorised them (the held-out half, never inserted, gives the reference scores).
//
// Each canary is a grammar sentence that mentions a name once (the chosen --canary-name, or a fresh full name no
// split mentions, different for each canary) or a random word sequence (with the name at a random position when
// one is chosen). Canaries are spoken by chosen catalogue speakers (possibly speakers of the corpus's own splits:
// they get a separate chapter) or by new speakers no split uses, round robin. A seeded draw marks
// round(count * insert_fraction) of them "inserted" and the rest "heldout".
#include "speechleak/synth/plan.h"

namespace speechleak::synth {

// Adds the canary chapters to `plan` (split kCanarySplit). No-op when config.canaries.count == 0.
void plan_canaries(const SynthConfig& config, SpeakerAllocator& speakers, CorpusPlan& plan);

// `base` with every split emptied: a corpus of canaries only, what `speechleak canaries make` writes (its
// canaries-inserted.tsv goes into any pretraining data; canaries.tsv keeps the secret draw).
SynthConfig canaries_only(SynthConfig base);

}  // namespace speechleak::synth
