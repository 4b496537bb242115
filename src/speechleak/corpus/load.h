#pragma once
// One call from a spec to a ready corpus: read with the format's reader, filter, attach alignments, finalize.
//
//  - Corpus::spec is spec.to_string() (the canonical form), Corpus::skipped collects the reader's, the filter's
//    and the alignment reader's skips.
//  - Order: read -> filters (filter.h) -> alignments (attached after filtering, to the utterances kept;
//    AttachReport::summary() goes to log_info, word mismatches to one log_warn).
//  - Zero utterances left is a speechleak::Error naming the spec and the skip summary: every later stage would
//    fail less clearly.
//  - Progress: stage "read corpus" (one report when the reader returns; readers do not report per file), the
//    filter's "check durations", and "attach alignments".
#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/filter.h"
#include "speechleak/corpus/spec.h"
#include "speechleak/corpus/utterance_audio.h"
#include "speechleak/util/progress.h"

namespace speechleak::corpus {

// Validates the spec, then reads. Throws what the readers throw (FileError, FormatError, InvalidArgument) and
// speechleak::Error when nothing is left.
Corpus load_corpus(const CorpusSpec& spec, const ProgressCallback& progress = {});

// Just the reader of spec.format, without filters or alignments.
Corpus read_corpus(const CorpusSpec& spec);

// How the corpus's audio may be loaded: allow_commands follows the spec (kaldi ?allow_commands=1), so that
// opting in once at the spec also lets load_utterance_audio run the commands; max_seconds is max_audio_seconds.
AudioPolicy audio_policy(const CorpusSpec& spec);

}  // namespace speechleak::corpus
