#include "speechleak/features/extract.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/audio/transforms.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/decode_queue.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/batching.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/log.h"
#include "speechleak/util/random.h"

namespace speechleak::features {
namespace fs = std::filesystem;

namespace {

std::span<const unsigned char> bytes_of(const at::Tensor& t) {
  return {static_cast<const unsigned char*>(t.data_ptr()), static_cast<size_t>(t.numel() * t.element_size())};
}

std::vector<int> resolved_layers(const encoder::Encoder& enc, const ExtractConfig& config) {
  check_layers(enc, config.layers);
  if (!config.layers.empty()) return config.layers;
  return {enc.metadata().layers};
}

}  // namespace

void check_layers(const encoder::Encoder& enc, const std::vector<int>& layers) {
  const int top = enc.metadata().layers;
  for (int layer : layers)
    if (layer < 0 || layer > top)
      throw invalid_argument("--layers", "hidden states in [0, " + std::to_string(top) + "] of this " +
                                             std::to_string(top) + "-layer model (0 = the input of the first layer)",
                             std::to_string(layer));
}

void add_state_arrays(int layer, const at::Tensor& frames, const ExtractConfig& config, std::vector<at::Tensor>& keep,
                      std::map<std::string, ArrayData>& arrays) {
  const std::string p = std::to_string(layer) + "/";
  auto x = frames.to(at::kDouble);
  auto mean = x.mean(0).contiguous();
  auto unit = attack::unit_frame_sum(frames).contiguous();
  const double euclid = frames.size(0) >= 2 ? attack::utterance_euclidean_distance(frames) : std::nan("");
  auto e = at::full({1}, euclid, at::kDouble);
  auto n = at::full({1}, static_cast<double>(attack::nonzero_frame_count(frames)), at::kDouble);
  keep.insert(keep.end(), {mean, unit, e, n});
  const int64_t d = frames.size(1);
  arrays[p + "mean"] = {DType::F64, {d}, bytes_of(mean)};
  arrays[p + "unit_sum"] = {DType::F64, {d}, bytes_of(unit)};
  arrays[p + "euclidean"] = {DType::F64, {1}, bytes_of(e)};
  arrays[p + "unit_count"] = {DType::F64, {1}, bytes_of(n)};
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

// Groups a window of decoded utterances into length-sorted batches under the padded-sample budget.
std::vector<std::vector<Decoded*>> make_batches(const std::vector<Decoded*>& window, const ExtractConfig& config) {
  std::vector<int64_t> lengths;
  for (const auto* d : window) lengths.push_back(static_cast<int64_t>(d->audio.samples.size()));
  std::vector<std::vector<Decoded*>> batches;
  for (const auto& indices : length_sorted_batches(lengths, config.max_batch_size, config.max_batch_samples)) {
    batches.emplace_back();
    for (size_t i : indices) batches.back().push_back(window[i]);
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
  std::string out = "layers=[";
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i) out += ',';  // appended separately: gcc 12 warns falsely (-Wstringop-overflow) on "," + std::string&&
    out += std::to_string(layers[i]);
  }
  out += "] frames=" + (frames ? frames_dtype : std::string("no")) + " decode_threads=" +
         std::to_string(decode_threads) + " max_batch_samples=" + std::to_string(max_batch_samples) +
         " max_batch_size=" + std::to_string(max_batch_size) + " window=" + std::to_string(window) + " shard=" +
         std::to_string(shard_index) + "/" + std::to_string(shard_count) +
         " reverse_audio=" + (reverse_audio ? "yes" : "no");
  return out;
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
    h = hash_files(m.source, {"config.json", "model.safetensors", "preprocessor_config.json"}, h);
  } else if (fs::exists(m.source)) {
    h = hash_file(m.source, h);
  }
  return text::hex64(h);
}

StoreManifest make_manifest(const encoder::Encoder& enc, const std::string& corpus_spec, const ExtractConfig& config,
                            const UtteranceSignal* signal) {
  StoreManifest m;
  m.model_fingerprint = model_fingerprint(enc);
  m.model_description = enc.metadata().description();
  m.layers = resolved_layers(enc, config);
  m.preprocessing = "16 kHz mono (mixed down), libsoxr HQ; normalization=" + audio::to_string(enc.metadata().normalization) +
                    (config.reverse_audio ? ", time-reversed" : "");
  m.corpus_spec = corpus_spec;
  m.frames = config.frames;
  m.frames_dtype = config.frames_dtype;
  if (signal) m.signals = signal->description();
  return m;
}

std::vector<const corpus::Utterance*> shard_utterances(const corpus::Corpus& corpus, int index, int count) {
  part_name(index, count);
  std::vector<const corpus::Utterance*> out;
  for (size_t i = static_cast<size_t>(index); i < corpus.utterances.size(); i += static_cast<size_t>(count))
    out.push_back(&corpus.utterances[i]);
  return out;
}

namespace {

// One extraction run: decodes windows of utterances, encodes them in length-sorted batches, appends the results.
class Extraction {
 public:
  Extraction(const corpus::Corpus& corpus, encoder::Encoder& enc, const fs::path& store_dir,
             const ExtractConfig& config, const ProgressCallback& progress, UtteranceSignal* signal)
      : enc_(enc),
        config_(config),
        progress_(progress),
        signal_(signal),
        layers_(resolved_layers(enc, config)),
        states_(layers_.begin(), layers_.end()),
        writer_(store_dir, make_manifest(enc, corpus.spec, config, signal),
                part_name(config.shard_index, config.shard_count)) {
    todo_ = windows_to_run(shard_utterances(corpus, config.shard_index, config.shard_count), writer_.done(),
                           config.window, report_);
  }

  ExtractReport run() {
    DecodeQueue queue(todo_, config_.audio_policy, config_.decode_threads, 2 * config_.window);
    while (!queue.exhausted()) {
      auto window = next_window(queue);
      std::vector<Decoded*> ptrs;
      for (auto& d : window) ptrs.push_back(&d);
      for (auto& batch : make_batches(ptrs, config_)) {
        encode_and_write(batch);
        report_progress();
      }
    }
    report_.bytes_written = writer_.bytes_written();
    return report_;
  }

 private:
  // Exactly `window` utterances, failed ones included (skipped and counted), so windows match windows_to_run's.
  std::vector<Decoded> next_window(DecodeQueue& queue) {
    std::vector<Decoded> window;
    for (int taken = 0; taken < config_.window; ++taken) {
      auto d = queue.next();
      if (!d) break;
      if (!d->error.empty()) {
        report_.skipped.add(d->utterance->id, d->utterance->source.describe(), d->error);
        continue;
      }
      if (config_.reverse_audio) audio::reverse(d->audio.samples);
      window.push_back(std::move(*d));
    }
    return window;
  }

  // A batch the encoder refuses is retried one utterance at a time, so one bad item costs only itself.
  void encode_and_write(const std::vector<Decoded*>& batch) {
    std::vector<std::span<const float>> wavs;
    for (auto* d : batch) wavs.emplace_back(d->audio.samples);
    encoder::EncoderOutput out;
    try {
      out = enc_.encode(wavs, states_);
    } catch (const Error& e) {
      if (batch.size() == 1)
        report_.skipped.add(batch[0]->utterance->id, batch[0]->utterance->source.describe(),
                            std::string("encoder failed: ") + e.what());
      else
        for (auto* d : batch) encode_and_write({d});
      return;
    }
    for (size_t b = 0; b < batch.size(); ++b) write(*batch[b], out, static_cast<int64_t>(b));
  }

  void write(const Decoded& d, const encoder::EncoderOutput& out, int64_t b) {
    const auto* u = d.utterance;
    if (writer_.done().count(u->id)) return;  // recomputed only to keep the batch as in an uninterrupted run
    if (!all_finite(out, layers_, b)) {
      report_.skipped.add(u->id, u->source.describe(), "non-finite hidden states (NaN or infinity from the encoder)");
      return;
    }
    std::vector<at::Tensor> keep;
    std::map<std::string, ArrayData> arrays;
    for (int layer : layers_) add_state_arrays(layer, out.utterance(layer, b), config_, keep, arrays);
    if (signal_ && !add_signal_arrays(d, keep, arrays)) return;
    writer_.append(u->id, arrays,
                   {{"speaker_id", u->speaker_id}, {"subset", u->subset},
                    {"num_samples", std::to_string(d.audio.samples.size())},
                    {"frames", std::to_string(out.frames()[b])}});
    ++report_.extracted;
    report_.audio_seconds += d.audio.duration_s();
  }

  // The signal's fields as float64 [1] arrays; false (skipped and counted) when it cannot score the utterance.
  bool add_signal_arrays(const Decoded& d, std::vector<at::Tensor>& keep, std::map<std::string, ArrayData>& arrays) {
    std::map<std::string, double> fields;
    try {
      fields = signal_->compute(d.audio.samples, d.utterance->id);
    } catch (const Error& e) {
      report_.skipped.add(d.utterance->id, d.utterance->source.describe(),
                          signal_->name() + " signal failed: " + e.what());
      return false;
    }
    for (const auto& [field, value] : fields) {
      keep.push_back(at::full({1}, value, at::kDouble));
      arrays[signal_->name() + "/" + field] = {DType::F64, {1}, bytes_of(keep.back())};
    }
    return true;
  }

  void report_progress() {
    if (progress_)
      progress_({"extract", static_cast<int64_t>(report_.already_done + report_.extracted + report_.skipped.size()),
                 static_cast<int64_t>(report_.total), report_.audio_seconds, "s audio",
                 static_cast<int64_t>(report_.skipped.size())});
  }

  encoder::Encoder& enc_;
  const ExtractConfig& config_;
  const ProgressCallback& progress_;
  UtteranceSignal* signal_;
  const std::vector<int> layers_;
  const encoder::StateSet states_;
  StoreWriter writer_;
  ExtractReport report_;
  std::vector<const corpus::Utterance*> todo_;
};

}  // namespace

ExtractReport extract_features(const corpus::Corpus& corpus, encoder::Encoder& enc, const fs::path& store_dir,
                               const ExtractConfig& config, const ProgressCallback& progress,
                               UtteranceSignal* signal) {
  config.validate();
  runtime::ensure_torch_threads();
  const auto t0 = std::chrono::steady_clock::now();
  auto report = Extraction(corpus, enc, store_dir, config, progress, signal).run();
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report.already_done + report.extracted == 0)
    throw Error("no utterance of " + corpus.spec + " could be extracted: " + report.summary() +
                report.skipped.examples(3));
  return report;
}

}  // namespace speechleak::features
