#include "speechleak/noise_masking/attack.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "speechleak/audio/transforms.h"
#include "speechleak/corpus/words.h"
#include "speechleak/asr/recognise.h"
#include "speechleak/features/decode_queue.h"
#include "speechleak/noise_masking/slot.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/random.h"

namespace speechleak::noise_masking {
namespace {

constexpr double kSpanTolerance_s = 0.1;  // alignment times may pass the end of the audio by rounding

// RMS of the speech: aligned words outside `masked`, or (without an alignment) every sample outside it.
double speech_rms(const corpus::Utterance& u, const audio::Audio& a, const std::vector<TimeSpan>& masked) {
  const auto n = static_cast<int64_t>(a.samples.size());
  std::vector<char> use(a.samples.size(), u.alignment ? 0 : 1);
  auto mark = [&](double s, double e, char v) {
    const auto f = std::clamp<int64_t>(std::llround(s * a.sample_rate), 0, n);
    const auto l = std::clamp<int64_t>(std::llround(e * a.sample_rate), 0, n);
    std::fill(use.begin() + f, use.begin() + l, v);
  };
  if (u.alignment)
    for (const auto& w : *u.alignment) mark(w.start_s, w.end_s, 1);
  for (const auto& s : masked) mark(s.start_s, s.end_s, 0);
  double sq = 0;
  size_t k = 0;
  for (size_t i = 0; i < a.samples.size(); ++i)
    if (use[i]) sq += double(a.samples[i]) * a.samples[i], ++k;
  return k ? std::sqrt(sq / double(k)) : 0.0;
}

// Mean over the frames whose centre lies in `span` of the frame's highest posterior.
double slot_confidence(const asr::Recognition& r, size_t samples, int sample_rate, const TimeSpan& span) {
  if (!r.log_probs.defined() || r.frames == 0) return 0.0;
  const auto best = std::get<0>(r.log_probs.max(1)).exp();  // [T]
  const auto* p = best.data_ptr<float>();
  const double frame_s = double(samples) / double(sample_rate) / double(r.frames);
  double sum = 0;
  int64_t k = 0;
  for (int64_t t = 0; t < r.frames; ++t) {
    const double centre = (double(t) + 0.5) * frame_s;
    if (centre >= span.start_s && centre < span.end_s) sum += p[t], ++k;
  }
  if (k == 0) {  // a span shorter than a frame: the frame it falls in
    const auto t = std::clamp<int64_t>(int64_t(0.5 * (span.start_s + span.end_s) / frame_s), 0, r.frames - 1);
    return p[t];
  }
  return sum / double(k);
}

struct Draw {
  SlotAlignment slot;
  std::string hypothesis;
  double confidence = 0;
};

bool in_inventory(const corpus::NameList& names, const std::vector<std::string>& guess) {
  return !guess.empty() && std::find(names.names.begin(), names.names.end(), guess) != names.names.end();
}

struct Work {  // one trial of a decoded utterance, with its padded spans
  Trial trial;
  std::vector<TimeSpan> padded;
  size_t first_input = 0;  // index of its first draw among the batch inputs
};

// The trial's outcome from its draws: the most frequent guess, ties to the more confident draw.
TrialOutcome score_trial(const Work& job, const SlotReference& ref, const std::vector<Draw>& draws,
                         const corpus::NameList& names, const asr::Vocabulary& vocab,
                         const asr::Recognition* unmasked) {
  const Trial& t = job.trial;
  const auto* u = t.utterance;
  std::map<std::string, int> votes;
  for (const auto& d : draws) ++votes[d.slot.guess_text()];
  const Draw* chosen = &draws[0];
  for (const auto& d : draws) {
    const int a_votes = votes[d.slot.guess_text()], c_votes = votes[chosen->slot.guess_text()];
    if (a_votes > c_votes || (a_votes == c_votes && d.confidence > chosen->confidence)) chosen = &d;
  }
  TrialOutcome o;
  o.utt_id = u->id;
  o.speaker_id = u->speaker_id;
  o.name = t.name;
  o.blanked = t.blanked();
  o.hypothesis = chosen->hypothesis;
  o.guess = chosen->slot.guess_text();
  o.any_name = o.guess == t.name || in_inventory(names, chosen->slot.guess);
  o.outcome = o.guess == t.name ? Outcome::Exact
              : o.any_name      ? Outcome::OtherName
              : o.guess.empty() ? Outcome::Deleted
                                : Outcome::Other;
  o.context_words = chosen->slot.context_words.reference;
  o.context_wer = chosen->slot.context_words.rate();
  o.context_cer = chosen->slot.context_characters.rate();
  o.confidence = chosen->confidence;
  o.draws_agreeing = votes[o.guess];
  o.spellable = vocab.encode(t.name, asr::OovPolicy::Skip).unknown_characters == 0;
  for (const auto& s : job.padded) o.masked_s += s.end_s - s.start_s;
  if (unmasked) {
    o.unmasked_hypothesis = unmasked->hypothesis;
    o.unmasked_guess = align_slot(ref, corpus::normalize_words(unmasked->hypothesis)).guess_text();
  }
  return o;
}

}  // namespace

std::vector<float> mask_spans(const corpus::Utterance& u, const audio::Audio& a, const std::vector<TimeSpan>& spans,
                              const NoiseMaskConfig& c, uint64_t seed) {
  std::vector<float> x = a.samples;
  if (c.fill == Fill::MaskEmbedding) return x;  // masked in the encoder, not in the audio
  const double reference_rms = speech_rms(u, a, spans);
  for (size_t k = 0; k < spans.size(); ++k) {
    audio::SpanReplacement r;
    r.start_s = spans[k].start_s;
    r.end_s = spans[k].end_s;
    r.fill = c.fill == Fill::Silence ? audio::SpanFill::Silence : audio::SpanFill::Noise;
    r.noise = c.fill == Fill::SpeechShaped ? audio::NoiseType::SpeechShaped : audio::NoiseType::White;
    r.noise_level = c.level;
    r.reference_rms = reference_rms;
    r.seed = derive_seed(seed, "span/" + std::to_string(k));
    if (c.level == 0.0) r.fill = audio::SpanFill::Silence;
    audio::replace_span(x, a.sample_rate, r);
  }
  return x;
}

std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::Exact: return "exact";
    case Outcome::OtherName: return "other-name";
    case Outcome::Other: return "other";
    case Outcome::Deleted: return "deleted";
  }
  return "?";
}

std::string AttackReport::summary() const {
  return skipped.summary(outcomes.size(), "trials", "run") + " on the " + set + " set; " + plan.summary();
}

AttackReport run_attack(const corpus::Corpus& corpus, const corpus::NameList& names, asr::CtcModel& model,
                        bool do_normalize, const NoiseMaskConfig& config, const std::string& set,
                        const ProgressCallback& progress) {
  config.validate();
  const auto t0 = std::chrono::steady_clock::now();
  AttackReport report;
  report.set = set;
  report.plan = plan_trials(corpus, names);
  std::map<const corpus::Utterance*, std::vector<Trial>> by_utterance;
  std::vector<const corpus::Utterance*> items;
  for (auto& t : report.plan.trials) {
    if (!by_utterance.count(t.utterance)) items.push_back(t.utterance);
    by_utterance[t.utterance].push_back(std::move(t));
  }
  report.plan.trials.clear();
  const auto& vocab = model->vocabulary();
  asr::DecodeOptions decode = config.decode;
  decode.keep_log_probs = true;

  features::DecodeQueue queue(items, config.audio_policy, config.decode_threads, 2 * config.window);
  size_t seen = 0;
  while (!queue.exhausted()) {
    std::vector<features::Decoded> window;
    seen += queue.next_window(static_cast<size_t>(config.window), window, [&](const features::Decoded& d) {
      for (const auto& t : by_utterance[d.utterance]) report.skipped.add(t.utterance->id, t.utterance->source.describe(), d.error);
    });
    // Inputs: per utterance its unmasked audio (optional), then draws of each trial.
    std::vector<std::vector<float>> inputs;
    asr::FrameMaskSpans frame_spans;  // per input; used by the mask-embedding fill only
    std::vector<size_t> unmasked_input(window.size(), SIZE_MAX);
    std::vector<std::vector<Work>> work(window.size());
    for (size_t w = 0; w < window.size(); ++w) {
      const auto& a = window[w].audio;
      const double duration = a.duration_s();
      if (config.unmasked) unmasked_input[w] = inputs.size(), inputs.push_back(a.samples), frame_spans.emplace_back();
      for (auto& t : by_utterance[window[w].utterance]) {
        bool outside = false;
        Work job{std::move(t), {}, 0};
        for (const auto& s : job.trial.spans) {
          outside |= s.start_s >= duration || s.end_s > duration + kSpanTolerance_s;
          job.padded.push_back({std::max(0.0, s.start_s - config.pad_s), std::min(duration, s.end_s + config.pad_s)});
        }
        const auto* u = job.trial.utterance;
        if (outside) {
          report.skipped.add(u->id, u->source.describe(),
                             "span outside the audio: the name is aligned at " + std::to_string(job.trial.spans[0].start_s) +
                                 " s, the audio lasts " + std::to_string(duration) + " s");
          continue;
        }
        job.first_input = inputs.size();
        for (int d = 0; d < config.draws; ++d) {
          inputs.push_back(mask_spans(*u, a, job.padded, config,
                                      derive_seed(config.seed, "fill/" + u->id + "/" + job.trial.name + "/" +
                                                                   std::to_string(d))));
          auto& spans = frame_spans.emplace_back();
          if (config.fill == Fill::MaskEmbedding)
            for (const auto& s : job.padded) spans.emplace_back(s.start_s, s.end_s);
        }
        work[w].push_back(std::move(job));
      }
    }
    std::vector<std::span<const float>> waves(inputs.begin(), inputs.end());
    auto rec = asr::recognise_batched(model, waves, do_normalize, decode, config.batch, frame_spans);
    report.recognitions += inputs.size();
    for (size_t w = 0; w < window.size(); ++w) {
      const auto& a = window[w].audio;
      const auto* u = window[w].utterance;
      report.audio_seconds += a.duration_s();
      const asr::Recognition* unmasked = nullptr;
      if (config.unmasked && rec.results[unmasked_input[w]]) {
        unmasked = &*rec.results[unmasked_input[w]];
        report.unmasked_errors.add(u->speaker_id, *u->transcript, unmasked->hypothesis);
      }
      for (auto& job : work[w]) {
        const Trial& t = job.trial;
        const auto ref = SlotReference::make(t.words, t.slot_first, t.slot_count, t.other_slots);
        std::vector<Draw> draws;
        std::string failure;
        for (int d = 0; d < config.draws; ++d) {
          const auto& r = rec.results[job.first_input + d];
          if (!r) {
            failure = rec.errors[job.first_input + d];
            break;
          }
          draws.push_back({align_slot(ref, corpus::normalize_words(r->hypothesis)), r->hypothesis,
                           slot_confidence(*r, a.samples.size(), a.sample_rate, job.padded[0])});
        }
        if (!failure.empty()) {
          report.skipped.add(u->id, u->source.describe(), "recognition failed: " + failure);
          continue;
        }
        auto o = score_trial(job, ref, draws, names, vocab, unmasked);
        report.unspellable += !o.spellable;
        report.outcomes.push_back(std::move(o));
      }
    }
    if (progress)
      progress({"noise-mask " + set, static_cast<int64_t>(seen), static_cast<int64_t>(items.size()),
                report.audio_seconds, "s audio", static_cast<int64_t>(report.skipped.size())});
  }
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report.outcomes.empty())
    throw Error("the noise-masking attack ran no trial on the " + set + " set (" + corpus.spec + "): " + report.summary());
  return report;
}

}  // namespace speechleak::noise_masking
