#include "speechleak/synth/word_timing.h"

#include <algorithm>
#include <cmath>

#include "speechleak/util/error.h"

namespace speechleak::synth {
namespace {

std::vector<double> frame_rms(std::span<const int16_t> x, int64_t frame) {
  std::vector<double> rms((x.size() + frame - 1) / frame, 0.0);
  for (size_t k = 0; k < rms.size(); ++k) {
    const size_t b = k * frame, e = std::min(x.size(), b + frame);
    double sq = 0;
    for (size_t i = b; i < e; ++i) sq += static_cast<double>(x[i]) * x[i];
    rms[k] = std::sqrt(sq / static_cast<double>(e - b));
  }
  return rms;
}

std::string mismatch(const std::string& problem, const std::string& text) {
  return "espeak-ng word events do not match the transcript (" + problem + ") for text '" + text + "'";
}

// The end of a word's stretch [start, end) without its trailing pause. Frames are tested whole and inside the
// stretch. The next word's first few milliseconds may already sound before its event (onset bleed): loud frames
// in the last kBleedFrames are skipped when a pause precedes them. Without a pause the stretch is kept whole.
int64_t trimmed_end(const std::vector<double>& rms, double threshold, int64_t frame, int64_t start, int64_t end,
                    int64_t margin, int64_t min_len) {
  constexpr int64_t kBleedFrames = 1;
  auto loud = [&](int64_t k) { return rms[k] >= threshold && threshold > 0; };
  const int64_t first = (start + frame - 1) / frame;  // first frame wholly inside
  const int64_t last = end / frame - 1;               // last frame wholly inside
  int64_t k = last;
  while (k >= first && k > last - kBleedFrames && loud(k)) --k;
  int64_t quiet = 0;
  while (k >= first && !loud(k)) --k, ++quiet;
  if (quiet == 0) return end;                      // speech runs into the next word
  if (k < first) return std::min(end, start + min_len);  // nothing loud: keep a minimal span
  return std::clamp((k + 1) * frame + margin, std::min(start + min_len, end), end);
}

}  // namespace

std::vector<int64_t> word_starts(const std::vector<EspeakWord>& events, const std::vector<size_t>& word_offsets,
                                 const std::string& text) {
  if (events.size() != word_offsets.size())
    throw Error(mismatch(std::to_string(events.size()) + " events for " + std::to_string(word_offsets.size()) +
                             " words", text));
  std::vector<int64_t> starts;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].text_offset < 0 || static_cast<size_t>(events[i].text_offset) != word_offsets[i])
      throw Error(mismatch("word " + std::to_string(i + 1) + " is at byte " + std::to_string(word_offsets[i]) +
                               ", its event at " + std::to_string(events[i].text_offset), text));
    if (!starts.empty() && events[i].sample < starts.back())
      throw Error(mismatch("word " + std::to_string(i + 1) + " starts before the previous word", text));
    starts.push_back(events[i].sample);
  }
  return starts;
}

std::vector<SampleSpan> word_spans(const std::vector<int64_t>& starts, int64_t end_of_speech,
                                   std::span<const int16_t> samples, int sample_rate) {
  const int64_t n = static_cast<int64_t>(samples.size());
  if (n == 0 && !starts.empty()) throw Error("espeak-ng produced no audio for " + std::to_string(starts.size()) + " words");
  const int64_t frame = std::max<int64_t>(1, sample_rate / 200);  // 5 ms
  const auto rms = frame_rms(samples, frame);
  const double peak = rms.empty() ? 0.0 : *std::max_element(rms.begin(), rms.end());
  const double threshold = peak * std::pow(10.0, kTrimThresholdDb / 20.0);
  const auto margin = static_cast<int64_t>(std::lround(kTrimMarginS * sample_rate));
  const auto min_len = static_cast<int64_t>(std::lround(kMinWordS * sample_rate));

  std::vector<SampleSpan> spans;
  int64_t prev_end = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    // Two events at one sample would give an empty word; nudging by a sample keeps every span non-empty (the
    // TextGrid format has no zero-length intervals).
    const int64_t start = std::clamp<int64_t>(std::max(starts[i], prev_end), 0, std::max<int64_t>(n - 1, 0));
    int64_t end = i + 1 < starts.size() ? starts[i + 1] : std::max(end_of_speech, start);
    end = std::clamp<int64_t>(end, start + 1, std::max(n, start + 1));
    spans.push_back({start, trimmed_end(rms, threshold, frame, start, end, margin, min_len)});
    prev_end = spans.back().end;
  }
  return spans;
}

}  // namespace speechleak::synth
