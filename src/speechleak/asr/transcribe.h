#pragma once
// Transcription of a corpus with a CTC model, batched like extraction (features/extract.h): utterances decoded and
// resampled in worker threads, windows of W utterances sorted by length and cut into batches under a
// padded-sample budget, results handed back in corpus order. Utterances with a transcript add to the WER/CER
// tally (overall and per speaker); unreadable ones are skipped and counted.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "speechleak/asr/error_rates.h"
#include "speechleak/asr/recognise.h"
#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/utterance_audio.h"
#include "speechleak/util/progress.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::asr {

struct TranscribeConfig {
  DecodeOptions decode;
  BatchLimits batch;
  int decode_threads = 2;
  int window = 64;                         // utterances sorted by length together (bounds memory)
  corpus::AudioPolicy audio_policy;
  void validate() const;
};

struct Transcript {
  const corpus::Utterance* utterance = nullptr;
  Recognition recognition;
  double seconds = 0;  // audio duration
};

struct TranscriptionReport {
  size_t total = 0, transcribed = 0;
  size_t without_transcript = 0;  // transcribed, but not scored
  SkipReport skipped;
  ErrorTally errors;
  double audio_seconds = 0, wall_seconds = 0;
  std::string summary() const;  // "N of M utterances transcribed; K skipped (reasons)"
};

// `sink` receives every transcript in corpus order. Progress: stage "transcribe".
TranscriptionReport transcribe_corpus(const corpus::Corpus& corpus, CtcModel& model, bool do_normalize,
                                      const TranscribeConfig& config,
                                      const std::function<void(const Transcript&)>& sink,
                                      const ProgressCallback& progress = {});

}  // namespace speechleak::asr
