#pragma once
// libespeak-ng behind a process-wide engine that makes synthesis reproducible.
//
// Why worker processes: espeak-ng keeps synthesis state in globals that survive from one espeak_Synth call to the
// next (the pitch-flutter index, wave phase, automatic gain, echo buffer, and glibc rand() for breath noise), and
// offers no call that resets them (espeak_Terminate + espeak_Initialize hangs in 1.51). The same text then gives
// different samples depending on what was spoken before, so a corpus would depend on generation order, a resumed
// run would differ from an uninterrupted one, and two runs in one process would differ. The engine therefore
// initialises espeak-ng once in this process and never synthesises here: each batch is spoken by a fork()ed child
// that starts from that pristine state, seeds rand(), speaks the batch in order and streams samples and word
// events back through a pipe. A batch's output is a function of the batch alone.
//
// Caveats: fork() from a multi-threaded program is fine with glibc for what the child does (malloc, reading voice
// files), but the child must not need locks another thread held; batches are serialised by a mutex, and one fork
// costs ~1-40 ms depending on the parent's memory, so callers batch (the generator speaks one chapter per batch).
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "speechleak/synth/voices.h"

namespace speechleak::synth {

struct EspeakRequest {
  VoiceSettings voice;
  std::string text;   // UTF-8; plain words separated by spaces, commas allowed (they make a pause)
  uint32_t seed = 1;  // srand() before speaking: espeak-ng's breath noise uses rand()
};

// A word event: espeak-ng reports the START of each word of the input text.
struct EspeakWord {
  int text_offset = 0;  // 0-based byte offset of the word in EspeakRequest::text
  int length = 0;       // characters
  int64_t sample = 0;   // first sample of the word in EspeakResult::samples
};

struct EspeakResult {
  std::vector<int16_t> samples;  // mono, at EspeakEngine::sample_rate()
  std::vector<EspeakWord> words;
  int64_t end_sample = 0;        // last end-of-clause event (end of speech), <= samples.size()
};

class EspeakEngine {
 public:
  // The process's engine, initialised on first use. Throws speechleak::Error when libespeak-ng or its data
  // cannot be loaded.
  static EspeakEngine& instance();

  int sample_rate() const { return sample_rate_; }
  // "1.51"
  const std::string& version() const { return version_; }
  // Whether espeak-ng-data has the variant file voices/!v/<file>.
  bool has_variant(const std::string& file) const;

  // Speaks the requests in order in one worker process. Throws speechleak::Error when a voice cannot be selected
  // (naming it), when synthesis fails, or when the worker dies or exceeds `timeout_s`.
  std::vector<EspeakResult> synthesize(const std::vector<EspeakRequest>& batch, double timeout_s = 300) const;

  EspeakEngine(const EspeakEngine&) = delete;
  EspeakEngine& operator=(const EspeakEngine&) = delete;

 private:
  EspeakEngine();
  int sample_rate_ = 0;
  std::string version_;
  std::vector<std::string> variant_files_;
  mutable std::mutex mutex_;
};

}  // namespace speechleak::synth
