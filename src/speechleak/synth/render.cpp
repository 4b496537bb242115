#include "speechleak/synth/render.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "speechleak/audio/resample.h"
#include "speechleak/audio/transforms.h"
#include "speechleak/synth/word_timing.h"

namespace speechleak::synth {
namespace {

int64_t samples_of(double seconds, int rate) { return static_cast<int64_t>(std::lround(seconds * rate)); }

// Rounded to whole microseconds: times then print the same everywhere and stay exact in every text format.
double to_seconds(double t) { return std::round(t * 1e6) / 1e6; }

}  // namespace

EspeakRequest espeak_request(const UtterancePlan& u, std::vector<size_t>* word_offsets) {
  return {u.voice, u.sentence.spoken_text(word_offsets), u.espeak_seed};
}

RenderedUtterance render(const UtterancePlan& u, const EspeakResult& spoken, int espeak_rate) {
  std::vector<size_t> offsets;
  const EspeakRequest req = espeak_request(u, &offsets);
  const auto starts = word_starts(spoken.words, offsets, req.text);
  const auto spans = word_spans(starts, spoken.end_sample, spoken.samples, espeak_rate);

  std::vector<float> speech(spoken.samples.size());
  std::transform(spoken.samples.begin(), spoken.samples.end(), speech.begin(),
                 [](int16_t s) { return static_cast<float>(s) / 32768.0f; });
  const int rate = audio::kModelSampleRate;
  const auto resampled = audio::resample(speech, espeak_rate, rate);
  const int64_t lead = samples_of(u.lead_silence_s, rate), trail = samples_of(u.trail_silence_s, rate);

  RenderedUtterance out;
  out.audio.sample_rate = rate;
  out.audio.samples.assign(static_cast<size_t>(lead), 0.0f);
  out.audio.samples.insert(out.audio.samples.end(), resampled.begin(), resampled.end());
  out.audio.samples.resize(out.audio.samples.size() + static_cast<size_t>(trail), 0.0f);
  if (u.noisy) audio::add_noise(out.audio.samples, u.snr_db, u.noise_type, rate, u.noise_seed);

  const double offset = static_cast<double>(lead) / rate;
  const double duration = out.audio.duration_s();
  for (size_t i = 0; i < spans.size(); ++i) {
    const double start = to_seconds(offset + static_cast<double>(spans[i].start) / espeak_rate);
    const double end = std::min(duration, to_seconds(offset + static_cast<double>(spans[i].end) / espeak_rate));
    out.words.push_back({u.sentence.words[i], start, end});
  }
  return out;
}

std::vector<RenderedUtterance> synthesize_chapter(const ChapterPlan& chapter) {
  EspeakEngine& engine = EspeakEngine::instance();
  // Repeats of a canary (original_id naming another utterance of the chapter) are copies of its rendering, not
  // spoken again: espeak-ng's state carries over between the utterances of a worker, so a second rendering of the
  // same plan would differ slightly, and repeats stand for duplicated recordings.
  std::map<std::string, size_t> index;
  std::vector<EspeakRequest> batch;
  std::vector<size_t> spoken_index(chapter.utterances.size());
  for (size_t i = 0; i < chapter.utterances.size(); ++i) {
    const auto& u = chapter.utterances[i];
    index.emplace(u.id, i);
    if (!u.original_id.empty() && u.original_id != u.id) continue;
    spoken_index[i] = batch.size();
    batch.push_back(espeak_request(u, nullptr));
  }
  // espeak-ng needs a few ms per utterance; the limit only catches a hung worker.
  const auto spoken = engine.synthesize(batch, 60.0 + 2.0 * static_cast<double>(batch.size()));
  std::vector<RenderedUtterance> out;
  for (size_t i = 0; i < chapter.utterances.size(); ++i) {
    const auto& u = chapter.utterances[i];
    if (!u.original_id.empty() && u.original_id != u.id) out.push_back(out.at(index.at(u.original_id)));
    else out.push_back(render(u, spoken[spoken_index[i]], engine.sample_rate()));
  }
  return out;
}

}  // namespace speechleak::synth
