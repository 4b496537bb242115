#include "speechleak/asr/recognise.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "speechleak/asr/ctc_decode.h"
#include "speechleak/audio/normalize.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/batching.h"
#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"

namespace speechleak::asr {

void DecodeOptions::validate() const {
  require_at_least("--beam", beam, 0);
  if (!(beam_prune < 0)) throw invalid_argument("beam_prune", "a negative log-probability", std::to_string(beam_prune));
}

void BatchLimits::validate() const {
  require_at_least("--max-batch-size", max_batch_size, 1);
  require_at_least("--max-batch-samples", max_batch_samples, 16000);
}

namespace {

// Restores a module's training flag on scope exit.
class EvalMode {
 public:
  explicit EvalMode(torch::nn::Module& m) : module_(m), was_training_(m.is_training()) { module_.eval(); }
  ~EvalMode() { module_.train(was_training_); }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

// [B, T'] bool from per-waveform spans, or undefined when no span is given.
at::Tensor frame_mask(CtcModel& model, const std::vector<std::span<const float>>& waveforms, int64_t longest,
                      const FrameMaskSpans& spans) {
  bool any = false;
  for (const auto& s : spans) any |= !s.empty();
  if (!any) return {};
  if (spans.size() != waveforms.size())
    throw invalid_argument("mask_spans", "one list per waveform (" + std::to_string(waveforms.size()) + ")",
                           std::to_string(spans.size()));
  const auto& config = model->encoder->config();
  const int64_t t_max = config.frames_for(longest);
  auto mask = at::zeros({static_cast<int64_t>(waveforms.size()), t_max}, at::kBool);
  auto m = mask.accessor<bool, 2>();
  for (size_t i = 0; i < waveforms.size(); ++i) {
    const int64_t frames = config.frames_for(static_cast<int64_t>(waveforms[i].size()));
    const double frame_s = double(waveforms[i].size()) / 16000.0 / double(std::max<int64_t>(frames, 1));
    for (int64_t t = 0; t < frames; ++t) {
      const double centre = (double(t) + 0.5) * frame_s;
      for (const auto& [a, b] : spans[i])
        if (centre >= a && centre < b) m[static_cast<int64_t>(i)][t] = true;
    }
  }
  return mask;
}

}  // namespace

std::vector<Recognition> recognise(CtcModel& model, const std::vector<std::span<const float>>& waveforms,
                                   bool do_normalize, const DecodeOptions& options, const FrameMaskSpans& mask_spans) {
  options.validate();
  if (waveforms.empty()) return {};
  runtime::ensure_torch_threads();
  const auto b = static_cast<int64_t>(waveforms.size());
  size_t longest = 0;
  for (const auto& w : waveforms) longest = std::max(longest, w.size());
  if (longest == 0) throw invalid_argument("waveforms", "at least one sample per utterance", "an empty waveform");
  auto batch = at::zeros({b, static_cast<int64_t>(longest)});
  auto lengths = at::empty({b}, at::kLong);
  for (int64_t i = 0; i < b; ++i) {
    const auto& w = waveforms[static_cast<size_t>(i)];
    if (w.empty()) throw invalid_argument("waveforms[" + std::to_string(i) + "]", "at least one sample", "none");
    std::span<float> row(batch.data_ptr<float>() + i * static_cast<int64_t>(longest), w.size());
    std::copy(w.begin(), w.end(), row.begin());
    if (do_normalize) audio::normalize(row, audio::Normalization::ZeroMeanUnitVar);
    lengths[i] = static_cast<int64_t>(w.size());
  }
  const auto device = model->lm_head->weight.device();
  CtcOutput out;
  {
    EvalMode eval(*model);
    at::NoGradGuard no_grad;
    const auto mask = frame_mask(model, waveforms, static_cast<int64_t>(longest), mask_spans);
    out = mask.defined() ? model->forward_masked(batch.to(device), lengths.to(device), mask.to(device))
                         : model->forward(batch.to(device), lengths.to(device));
  }
  auto log_probs = at::log_softmax(out.logits.to(at::kFloat), -1).cpu();
  auto frames = out.frame_lengths.to(at::kLong).cpu();
  const auto& vocab = model->vocabulary();
  std::vector<Recognition> results(static_cast<size_t>(b));
  for (int64_t i = 0; i < b; ++i) {
    auto& r = results[static_cast<size_t>(i)];
    r.frames = frames[i].item<int64_t>();
    auto lp = log_probs[i].narrow(0, 0, r.frames).contiguous();
    r.frame_labels = best_path(lp);
    r.labels = options.beam > 0 ? prefix_beam_search(lp, vocab.blank(), options.beam, nullptr, options.beam_prune)
                                : collapse_path(r.frame_labels, vocab.blank());
    r.hypothesis = vocab.decode(r.labels);
    if (options.keep_log_probs) r.log_probs = lp;
  }
  return results;
}

namespace {

void recognise_into(CtcModel& model, const std::vector<std::span<const float>>& waveforms, bool do_normalize,
                    const DecodeOptions& options, const FrameMaskSpans& mask_spans, const std::vector<size_t>& indices,
                    BatchedRecognition& out) {
  std::vector<std::span<const float>> batch;
  FrameMaskSpans spans;
  for (size_t i : indices) {
    batch.push_back(waveforms[i]);
    if (!mask_spans.empty()) spans.push_back(mask_spans.at(i));
  }
  try {
    auto r = recognise(model, batch, do_normalize, options, spans);
    for (size_t k = 0; k < indices.size(); ++k) out.results[indices[k]] = std::move(r[k]);
  } catch (const Error& e) {
    if (indices.size() == 1) {
      out.errors[indices[0]] = std::string("recognition failed: ") + e.what();
      return;
    }
    for (size_t i : indices) recognise_into(model, waveforms, do_normalize, options, mask_spans, {i}, out);
  }
}

}  // namespace

BatchedRecognition recognise_batched(CtcModel& model, const std::vector<std::span<const float>>& waveforms,
                                     bool do_normalize, const DecodeOptions& options, const BatchLimits& limits,
                                     const FrameMaskSpans& mask_spans) {
  limits.validate();
  BatchedRecognition out;
  out.results.resize(waveforms.size());
  out.errors.resize(waveforms.size());
  std::vector<int64_t> lengths;
  for (const auto& w : waveforms) lengths.push_back(static_cast<int64_t>(w.size()));
  for (const auto& indices : length_sorted_batches(lengths, limits.max_batch_size, limits.max_batch_samples))
    recognise_into(model, waveforms, do_normalize, options, mask_spans, indices, out);
  return out;
}

}  // namespace speechleak::asr
