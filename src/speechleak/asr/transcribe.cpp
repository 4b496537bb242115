#include "speechleak/asr/transcribe.h"

#include <chrono>

#include "speechleak/features/decode_queue.h"
#include "speechleak/util/batching.h"
#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"

namespace speechleak::asr {

void TranscribeConfig::validate() const {
  decode.validate();
  require_at_least("--decode-threads", decode_threads, 1);
  require_at_least("--max-batch-samples", max_batch_samples, 16000);
  require_at_least("--max-batch-size", max_batch_size, 1);
  require_at_least("--window", window, 1);
}

std::string TranscriptionReport::summary() const { return skipped.summary(transcribed, "utterances", "transcribed"); }

namespace {

// Recognises a batch; a batch the model refuses is retried one utterance at a time, so a bad item costs only itself.
void run_batch(CtcModel& model, bool do_normalize, const DecodeOptions& options,
               const std::vector<features::Decoded*>& batch, std::vector<std::optional<Recognition>>& results,
               const std::vector<size_t>& slots, TranscriptionReport& report) {
  std::vector<std::span<const float>> waves;
  for (auto* d : batch) waves.emplace_back(d->audio.samples);
  try {
    auto out = recognise(model, waves, do_normalize, options);
    for (size_t i = 0; i < batch.size(); ++i) results[slots[i]] = std::move(out[i]);
  } catch (const Error& e) {
    if (batch.size() == 1) {
      report.skipped.add(batch[0]->utterance->id, batch[0]->utterance->source.describe(),
                         std::string("recognition failed: ") + e.what());
      return;
    }
    for (size_t i = 0; i < batch.size(); ++i) run_batch(model, do_normalize, options, {batch[i]}, results, {slots[i]}, report);
  }
}

}  // namespace

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
    for (int taken = 0; taken < config.window; ++taken) {
      auto d = queue.next();
      if (!d) break;
      ++seen;
      if (!d->error.empty()) report.skipped.add(d->utterance->id, d->utterance->source.describe(), d->error);
      else window.push_back(std::move(*d));
    }
    std::vector<int64_t> lengths;
    for (const auto& d : window) lengths.push_back(static_cast<int64_t>(d.audio.samples.size()));
    std::vector<std::optional<Recognition>> results(window.size());
    for (const auto& indices : length_sorted_batches(lengths, config.max_batch_size, config.max_batch_samples)) {
      std::vector<features::Decoded*> batch;
      for (size_t i : indices) batch.push_back(&window[i]);
      run_batch(model, do_normalize, config.decode, batch, results, indices, report);
    }
    for (size_t i = 0; i < window.size(); ++i) {  // corpus order
      if (!results[i]) continue;
      Transcript t{window[i].utterance, std::move(*results[i]), window[i].audio.duration_s()};
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
