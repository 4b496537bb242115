#include "speechleak/features/extract.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/audio/transforms.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/decode_queue.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "speechleak/util/random.h"

namespace speechleak::features {
namespace fs = std::filesystem;

namespace {

std::span<const unsigned char> bytes_of(const at::Tensor& t) {
  return {static_cast<const unsigned char*>(t.data_ptr()), static_cast<size_t>(t.numel() * t.element_size())};
}

// Hash of a file's bytes, streamed.
uint64_t hash_file(const fs::path& path, uint64_t h) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
    h = fnv1a64(std::string_view(buf.data(), static_cast<size_t>(in.gcount())), h);
    if (!in) break;
  }
  return h;
}

std::vector<int> resolved_layers(const encoder::Encoder& enc, const ExtractConfig& config) {
  if (!config.layers.empty()) return config.layers;
  return {enc.metadata().layers};
}

}  // namespace

void add_state_arrays(int layer, const at::Tensor& frames, const ExtractConfig& config, std::vector<at::Tensor>& keep,
                      std::map<std::string, ArrayData>& arrays) {
  const std::string p = std::to_string(layer) + "/";
  auto x = frames.to(at::kDouble);
  auto mean = x.mean(0).contiguous();
  auto unit = attack::unit_frame_sum(frames).contiguous();
  const double euclid = frames.size(0) >= 2 ? attack::utterance_euclidean_distance(frames) : std::nan("");
  auto e = at::full({1}, euclid, at::kDouble);
  keep.insert(keep.end(), {mean, unit, e});
  const int64_t d = frames.size(1);
  arrays[p + "mean"] = {DType::F64, {d}, bytes_of(mean)};
  arrays[p + "unit_sum"] = {DType::F64, {d}, bytes_of(unit)};
  arrays[p + "euclidean"] = {DType::F64, {1}, bytes_of(e)};
  if (config.frames) {
    const bool half = config.frames_dtype == "float16";
    auto f = frames.to(half ? at::kHalf : at::kFloat).contiguous();
    keep.push_back(f);
    arrays[p + "frames"] = {half ? DType::F16 : DType::F32, {frames.size(0), d}, bytes_of(f)};
  }
}

namespace {

bool all_finite(const encoder::EncoderOutput& out, const std::vector<int>& layers, int64_t b) {
  for (int layer : layers)
    if (!at::isfinite(out.utterance(layer, b)).all().item<bool>()) return false;
  return true;
}

// The utterances to decode: every window (W consecutive utterances of the shard) that still has an utterance
// missing from the store, whole. Encoding a window's finished utterances again keeps every batch exactly as an
// uninterrupted run formed it, so a resumed store is bitwise identical to an uninterrupted one.
std::vector<const corpus::Utterance*> windows_to_run(const std::vector<const corpus::Utterance*>& shard,
                                                    const std::set<std::string>& done, int window,
                                                    ExtractReport& report) {
  std::vector<const corpus::Utterance*> out;
  report.total = shard.size();
  for (size_t start = 0; start < shard.size(); start += static_cast<size_t>(window)) {
    const size_t end = std::min(shard.size(), start + static_cast<size_t>(window));
    size_t finished = 0;
    for (size_t i = start; i < end; ++i) finished += done.count(shard[i]->id);
    report.already_done += finished;
    if (finished < end - start) out.insert(out.end(), shard.begin() + start, shard.begin() + end);
  }
  return out;
}

// Groups a window of decoded utterances (sorted by length) into batches under the padded-sample budget.
std::vector<std::vector<Decoded*>> make_batches(std::vector<Decoded*> window, const ExtractConfig& config) {
  std::stable_sort(window.begin(), window.end(),
                   [](const Decoded* a, const Decoded* b) { return a->audio.samples.size() < b->audio.samples.size(); });
  std::vector<std::vector<Decoded*>> batches;
  for (auto* d : window) {
    const auto len = static_cast<int64_t>(d->audio.samples.size());
    if (batches.empty() || static_cast<int>(batches.back().size()) >= config.max_batch_size ||
        len * static_cast<int64_t>(batches.back().size() + 1) > config.max_batch_samples)
      batches.emplace_back();
    batches.back().push_back(d);
  }
  return batches;
}

}  // namespace

void ExtractConfig::validate() const {
  if (frames_dtype != "float16" && frames_dtype != "float32")
    throw invalid_argument("frames_dtype", "float16 or float32", "'" + frames_dtype + "'");
  if (decode_threads < 1) throw invalid_argument("decode_threads", ">= 1", std::to_string(decode_threads));
  if (max_batch_samples < 400) throw invalid_argument("max_batch_samples", ">= 400", std::to_string(max_batch_samples));
  if (max_batch_size < 1) throw invalid_argument("max_batch_size", ">= 1", std::to_string(max_batch_size));
  if (window < 1) throw invalid_argument("window", ">= 1", std::to_string(window));
  part_name(shard_index, shard_count);  // validates the shard
}

std::string ExtractConfig::to_string() const {
  std::ostringstream out;
  out << "layers=[";
  for (size_t i = 0; i < layers.size(); ++i) out << (i ? "," : "") << layers[i];
  out << "] frames=" << (frames ? frames_dtype : "no") << " decode_threads=" << decode_threads
      << " max_batch_samples=" << max_batch_samples << " max_batch_size=" << max_batch_size << " window=" << window
      << " shard=" << shard_index << "/" << shard_count << " reverse_audio=" << (reverse_audio ? "yes" : "no");
  return out.str();
}

std::string ExtractReport::summary() const {
  std::string s = skipped.summary(already_done + extracted, "utterances", "in the store");
  if (already_done > 0) s += " (" + std::to_string(already_done) + " from an earlier run)";
  return s;
}

uint64_t expected_store_bytes(double audio_seconds, int width, const ExtractConfig& config) {
  const double layers = std::max<size_t>(1, config.layers.size());
  const double utterances = audio_seconds / 12.0;  // LibriSpeech averages ~12 s; summaries are per utterance
  double bytes = utterances * layers * (2.0 * width * 8 + 8 + 400);
  if (config.frames) bytes += audio_seconds * 50.0 * width * layers * (config.frames_dtype == "float16" ? 2 : 4);
  return static_cast<uint64_t>(bytes);
}

std::string model_fingerprint(const encoder::Encoder& enc) {
  const auto& m = enc.metadata();
  uint64_t h = fnv1a64(m.description());
  if (fs::is_directory(m.source)) {
    for (const char* f : {"config.json", "model.safetensors", "preprocessor_config.json"})
      if (fs::exists(m.source / f)) h = hash_file(m.source / f, fnv1a64(f, h));
  } else if (fs::exists(m.source)) {
    h = hash_file(m.source, h);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

StoreManifest make_manifest(const encoder::Encoder& enc, const std::string& corpus_spec, const ExtractConfig& config) {
  StoreManifest m;
  m.model_fingerprint = model_fingerprint(enc);
  m.model_description = enc.metadata().description();
  m.layers = resolved_layers(enc, config);
  m.preprocessing = "16 kHz mono (mixed down), libsoxr HQ; normalization=" + audio::to_string(enc.metadata().normalization) +
                    (config.reverse_audio ? ", time-reversed" : "");
  m.corpus_spec = corpus_spec;
  m.frames = config.frames;
  m.frames_dtype = config.frames_dtype;
  return m;
}

std::vector<const corpus::Utterance*> shard_utterances(const corpus::Corpus& corpus, int index, int count) {
  part_name(index, count);
  std::vector<const corpus::Utterance*> out;
  for (size_t i = static_cast<size_t>(index); i < corpus.utterances.size(); i += static_cast<size_t>(count))
    out.push_back(&corpus.utterances[i]);
  return out;
}

ExtractReport extract_features(const corpus::Corpus& corpus, encoder::Encoder& enc, const fs::path& store_dir,
                               const ExtractConfig& config, const ProgressCallback& progress) {
  config.validate();
  runtime::ensure_torch_threads();
  const auto t0 = std::chrono::steady_clock::now();
  const auto layers = resolved_layers(enc, config);
  StoreWriter writer(store_dir, make_manifest(enc, corpus.spec, config),
                     part_name(config.shard_index, config.shard_count));
  ExtractReport report;
  const auto todo = windows_to_run(shard_utterances(corpus, config.shard_index, config.shard_count), writer.done(),
                                   config.window, report);
  DecodeQueue queue(todo, config.audio_policy, config.decode_threads, 2 * config.window);
  const encoder::StateSet states(layers.begin(), layers.end());
  auto report_progress = [&] {
    if (progress)
      progress({"extract", static_cast<int64_t>(report.already_done + report.extracted + report.skipped.size()),
                static_cast<int64_t>(report.total), report.audio_seconds, "s audio",
                static_cast<int64_t>(report.skipped.size())});
  };
  // A batch the encoder refuses is retried one utterance at a time, so one bad item costs only itself.
  std::function<void(const std::vector<Decoded*>&)> encode_and_write = [&](const std::vector<Decoded*>& batch) {
    std::vector<std::span<const float>> wavs;
    for (auto* d : batch) wavs.emplace_back(d->audio.samples);
    encoder::EncoderOutput out;
    try {
      out = enc.encode(wavs, states);
    } catch (const Error& e) {
      if (batch.size() > 1) {
        for (auto* d : batch) encode_and_write({d});
      } else {
        report.skipped.add(batch[0]->utterance->id, batch[0]->utterance->source.describe(),
                           std::string("encoder failed: ") + e.what());
      }
      return;
    }
    for (size_t b = 0; b < batch.size(); ++b) {
      const auto* u = batch[b]->utterance;
      if (writer.done().count(u->id)) continue;  // recomputed only to keep the batch as in an uninterrupted run
      if (!all_finite(out, layers, static_cast<int64_t>(b))) {
        report.skipped.add(u->id, u->source.describe(), "non-finite hidden states (NaN or infinity from the encoder)");
        continue;
      }
      std::vector<at::Tensor> keep;
      std::map<std::string, ArrayData> arrays;
      for (int layer : layers) add_state_arrays(layer, out.utterance(layer, static_cast<int64_t>(b)), config, keep, arrays);
      writer.append(u->id, arrays,
                    {{"speaker_id", u->speaker_id}, {"subset", u->subset},
                     {"num_samples", std::to_string(batch[b]->audio.samples.size())},
                     {"frames", std::to_string(out.frames()[b])}});
      ++report.extracted;
      report.audio_seconds += batch[b]->audio.duration_s();
    }
  };
  while (true) {
    std::vector<Decoded> window;
    // Exactly `window` utterances per window, failed ones included, so windows match windows_to_run's.
    for (int taken = 0; taken < config.window; ++taken) {
      auto d = queue.next();
      if (!d) break;
      if (!d->error.empty()) {
        report.skipped.add(d->utterance->id, d->utterance->source.describe(), d->error);
        continue;
      }
      if (config.reverse_audio) audio::reverse(d->audio.samples);
      window.push_back(std::move(*d));
    }
    if (window.empty() && queue.exhausted()) break;
    std::vector<Decoded*> ptrs;
    for (auto& d : window) ptrs.push_back(&d);
    for (auto& batch : make_batches(ptrs, config)) {
      encode_and_write(batch);
      report_progress();
    }
  }
  report.bytes_written = writer.bytes_written();
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report.already_done + report.extracted == 0)
    throw Error("no utterance of " + corpus.spec + " could be extracted: " + report.summary());
  return report;
}

}  // namespace speechleak::features
