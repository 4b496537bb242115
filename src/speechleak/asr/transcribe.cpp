#include "speechleak/asr/transcribe.h"

#include <chrono>

#include "speechleak/features/decode_queue.h"
#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"

namespace speechleak::asr {

void TranscribeConfig::validate() const {
  decode.validate();
  batch.validate();
  require_at_least("--decode-threads", decode_threads, 1);
  require_at_least("--window", window, 1);
}

std::string TranscriptionReport::summary() const { return skipped.summary(transcribed, "utterances", "transcribed"); }

TranscriptionReport transcribe_corpus(const corpus::Corpus& corpus, CtcModel& model, bool do_normalize,
                                      const TranscribeConfig& config,
                                      const std::function<void(const Transcript&)>& sink,
                                      const ProgressCallback& progress) {
  config.validate();
  const auto t0 = std::chrono::steady_clock::now();
  TranscriptionReport report;
  std::vector<const corpus::Utterance*> items;
  for (const auto& u : corpus.utterances) items.push_back(&u);
  report.total = items.size();
  features::DecodeQueue queue(items, config.audio_policy, config.decode_threads, 2 * config.window);
  size_t seen = 0;
  while (!queue.exhausted()) {
    std::vector<features::Decoded> window;
    seen += queue.next_window(static_cast<size_t>(config.window), window, [&](const features::Decoded& d) {
      report.skipped.add(d.utterance->id, d.utterance->source.describe(), d.error);
    });
    std::vector<std::span<const float>> waves;
    for (const auto& d : window) waves.emplace_back(d.audio.samples);
    auto recognised = recognise_batched(model, waves, do_normalize, config.decode, config.batch);
    for (size_t i = 0; i < window.size(); ++i) {  // corpus order
      const auto* u = window[i].utterance;
      if (!recognised.results[i]) {
        report.skipped.add(u->id, u->source.describe(), recognised.errors[i]);
        continue;
      }
      Transcript t{u, std::move(*recognised.results[i]), window[i].audio.duration_s()};
      ++report.transcribed;
      report.audio_seconds += t.seconds;
      if (t.utterance->transcript) report.errors.add(t.utterance->speaker_id, *t.utterance->transcript, t.recognition.hypothesis);
      else ++report.without_transcript;
      if (sink) sink(t);
    }
    if (progress)
      progress({"transcribe", static_cast<int64_t>(seen), static_cast<int64_t>(report.total), report.audio_seconds,
                "s audio", static_cast<int64_t>(report.skipped.size())});
  }
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report.transcribed == 0 && report.total > 0)
    throw Error("no utterance of " + corpus.spec + " could be transcribed: " + report.summary());
  return report;
}

}  // namespace speechleak::asr
