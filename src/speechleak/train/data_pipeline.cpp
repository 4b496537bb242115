#include "speechleak/train/data_pipeline.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "speechleak/audio/normalize.h"
#include "speechleak/audio/transforms.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

namespace {

constexpr int kRate = 16000;

// Decodes one utterance and applies the static defenses; false (and a skip) when it cannot be used.
bool prepare_utterance(const corpus::Utterance& u, const TrainingConfig& config, const NameList* names,
                       const corpus::AudioPolicy& policy, TrainingSet& set) {
  audio::Audio a;
  try {
    a = corpus::load_utterance_audio(u, audio::ReadOptions{}, policy);
  } catch (const Error& e) {
    set.report.skipped.add(u.id, u.source.describe(), std::string("unreadable: ") + e.what());
    return false;
  }
  if (a.duration_s() < config.data.min_seconds) {
    set.report.skipped.add(u.id, u.source.describe(), "too short: " + std::to_string(a.duration_s()) + " s");
    return false;
  }
  auto& d = config.defenses;
  auto& r = set.report;
  if (d.silence_names && names) {
    bool aligned = true;
    auto mentions = locate_mentions(*names, u, &aligned);
    if (!aligned) ++r.names_without_alignment;
    if (!mentions.empty()) {
      r.silenced_seconds += silence_mentions(a.samples, a.sample_rate, mentions);
      r.silenced_spans += mentions.size();
      ++r.silenced_utterances;
    }
  }
  if (d.reverse_audio) audio::reverse(a.samples), ++r.reversed;  // after silencing: alignment times are forward
  TrainUtterance t;
  t.id = u.id;
  t.speaker_id = u.speaker_id;
  t.transcript = u.transcript;
  t.audio = at::from_blob(a.samples.data(), {static_cast<int64_t>(a.samples.size())}, at::kFloat).clone();
  r.audio_seconds += a.duration_s();
  set.utterances.push_back(std::move(t));
  return true;
}

}  // namespace

std::string epoch_stream(const char* what, int epoch, const std::string& id) {
  return std::string(what) + "/" + std::to_string(epoch) + "/" + id;
}

TrainingSet load_training_set(corpus::Corpus corpus, const TrainingConfig& config, const NameList* names,
                              const corpus::AudioPolicy& policy, const ProgressCallback& progress) {
  TrainingSet set;
  set.report.corpus_utterances = corpus.utterances.size();
  if (config.defenses.needs_names() && !names)
    throw invalid_argument("names", "a name list for --silence-names/--sanitize-names", "none");
  if (config.defenses.sanitize_names) {
    auto s = sanitize_names(corpus, *names);
    set.report.sanitized_dropped = s.dropped.size();
  }
  Progress p{"load audio", 0, static_cast<int64_t>(corpus.utterances.size()), 0, "s audio", 0};
  std::set<std::string> speakers;
  for (const auto& u : corpus.utterances) {
    if (prepare_utterance(u, config, names, policy, set)) speakers.insert(u.speaker_id);
    ++p.done;
    p.work_done = set.report.audio_seconds;
    p.failed = static_cast<int64_t>(set.report.skipped.size());
    if (progress) progress(p);
  }
  set.report.used = set.utterances.size();
  set.report.speakers = speakers.size();
  if (set.utterances.empty())
    throw Error("no usable training utterances in " + corpus.spec + " (" +
                set.report.skipped.summary(0, "utterances", "loaded") + ")");
  return set;
}

std::string target_group(const TrainUtterance& u, const std::string& scope) {
  return scope == "speaker" ? u.speaker_id : scope == "utterance" ? u.id : std::string();
}

void attach_labels(TrainingSet& set, const TargetModel& targets) {
  for (auto& u : set.utterances) u.labels = targets.labels(u.audio, target_group(u, targets.scope));
}

int64_t batches_per_epoch(size_t n, int batch_size) {
  return (static_cast<int64_t>(n) + batch_size - 1) / batch_size;
}

std::vector<std::vector<int64_t>> epoch_batches(size_t n, int batch_size, uint64_t seed, int epoch) {
  std::vector<int64_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<int64_t>(i);
  seeded_shuffle(order, derive_seed(seed, "order/" + std::to_string(epoch)));
  std::vector<std::vector<int64_t>> batches;
  for (size_t s = 0; s < n; s += batch_size)
    batches.emplace_back(order.begin() + s, order.begin() + std::min(n, s + batch_size));
  return batches;
}

namespace {

struct Piece {
  at::Tensor wave, labels;
  int64_t offset = 0;
  double snr = std::numeric_limits<double>::quiet_NaN();
};

// Noise, normalisation and crop of one utterance for one epoch.
Piece epoch_piece(const TrainUtterance& u, int epoch, const TrainingConfig& c, LabelLayout layout) {
  Piece p;
  auto wave = u.audio.clone();
  std::span<float> samples(wave.data_ptr<float>(), static_cast<size_t>(wave.numel()));
  p.snr = apply_noise_defense(samples, kRate, c.defenses, derive_seed(c.seed, epoch_stream("noise", epoch, u.id)));
  if (c.data.normalization == "zero-mean-unit-var") audio::normalize(samples, audio::Normalization::ZeroMeanUnitVar);
  const auto max_samples = static_cast<int64_t>(c.data.max_seconds * kRate);
  const int64_t hop = c.model.samples_per_frame(), window = c.model.receptive_field();
  if (wave.size(0) <= max_samples || max_samples < window || layout == LabelLayout::Sequence) {
    p.wave = wave, p.labels = u.labels;
    return p;
  }
  // The longest frame-aligned crop within max_samples: n frames need (n - 1) * hop + window samples.
  const int64_t total_frames = u.labels.defined() ? u.labels.size(0) : c.model.frames_for(wave.size(0));
  const int64_t n = (max_samples - window) / hop + 1;
  const int64_t starts = std::max<int64_t>(1, total_frames - n + 1);
  Rng rng(derive_seed(c.seed, epoch_stream("crop", epoch, u.id)));
  const auto start = static_cast<int64_t>(uniform_index(rng, static_cast<uint64_t>(starts)));
  p.offset = start * hop;
  const int64_t len = std::min<int64_t>((n - 1) * hop + window, wave.size(0) - p.offset);
  p.wave = wave.narrow(0, p.offset, len);
  if (u.labels.defined()) p.labels = u.labels.narrow(0, start, std::min<int64_t>(n, total_frames - start));
  return p;
}

}  // namespace

Batch Batch::to(const c10::Device& device) const {
  Batch b = *this;
  for (auto* t : {&b.waveforms, &b.lengths, &b.frame_lengths, &b.targets, &b.target_lengths, &b.mask, &b.channel_mask})
    if (t->defined()) *t = t->to(device);
  for (auto& [name, t] : b.extras)
    if (t.defined()) t = t.to(device);
  return b;
}

Batch make_batch(const TrainingSet& set, const std::vector<int64_t>& indices, int epoch, const TrainingConfig& c,
                 LabelLayout layout) {
  if (indices.empty()) throw invalid_argument("indices", "a non-empty batch", "none");
  std::vector<Piece> pieces;
  int64_t max_len = 0, max_labels = 0;
  for (auto i : indices) {
    if (i < 0 || i >= static_cast<int64_t>(set.utterances.size()))
      throw invalid_argument("batch index", "in [0, " + std::to_string(set.utterances.size()) + ")", std::to_string(i));
    pieces.push_back(epoch_piece(set.utterances[i], epoch, c, layout));
    max_len = std::max(max_len, pieces.back().wave.size(0));
    if (pieces.back().labels.defined()) max_labels = std::max(max_labels, pieces.back().labels.size(0));
  }
  const auto b = static_cast<int64_t>(pieces.size());
  const int64_t frames = c.model.frames_for(max_len);
  Batch batch;
  batch.waveforms = at::zeros({b, max_len}, at::kFloat);
  batch.lengths = at::empty({b}, at::kLong);
  batch.frame_lengths = at::empty({b}, at::kLong);
  batch.targets = at::full({b, layout == LabelLayout::Frames ? frames : max_labels}, -1, at::kLong);
  batch.target_lengths = at::zeros({b}, at::kLong);
  for (int64_t k = 0; k < b; ++k) {
    const auto& p = pieces[k];
    const auto& u = set.utterances[indices[k]];
    const int64_t len = p.wave.size(0);
    batch.waveforms[k].narrow(0, 0, len).copy_(p.wave);
    batch.lengths[k] = len;
    const int64_t f = c.model.frames_for(len);
    batch.frame_lengths[k] = f;
    if (p.labels.defined()) {
      // Frame labels: the conv extractor and the MFCC agree on frames for the standard front end; min() guards
      // custom ones (frames without a target are excluded from the loss by the -1).
      const int64_t labelled = layout == LabelLayout::Frames ? std::min(f, p.labels.size(0)) : p.labels.size(0);
      if (labelled > 0) batch.targets[k].narrow(0, 0, labelled).copy_(p.labels.narrow(0, 0, labelled));
      batch.target_lengths[k] = labelled;
    }
    batch.ids.push_back(u.id);
    batch.crop_offsets.push_back(p.offset);
    batch.snr_db.push_back(p.snr);
    batch.audio_seconds += static_cast<double>(len) / kRate;
  }
  return batch;
}

}  // namespace speechleak::train
