#pragma once
// Recognition with a CTC model on PCM: one padded forward pass per batch, then CTC decoding of every utterance's
// valid frames (greedy, or the prefix beam search without a language model), with per-frame posteriors kept on
// request (the noise-masking attack reads a slot's confidence from them).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "speechleak/asr/ctc_model.h"
#include "speechleak/asr/decode_options.h"

namespace speechleak::asr {

struct Recognition {
  std::vector<int64_t> labels;   // the decoded label sequence
  std::string hypothesis;        // labels as text (Vocabulary::decode)
  std::vector<int64_t> frame_labels;  // argmax label per valid frame (greedy path; for slot alignment)
  at::Tensor log_probs;          // [T, V] float32 log_softmax of the logits, valid frames only (keep_log_probs)
  int64_t frames = 0;
};

// Time spans (seconds) per waveform whose frames are replaced by the encoder's mask embedding; a frame is masked
// when its centre, (t + 0.5) x duration / frames, lies in a span. Empty, or an empty list for a waveform: none.
using FrameMaskSpans = std::vector<std::vector<std::pair<double, double>>>;

// Raw 16 kHz float waveforms, normalised per utterance when `do_normalize` (HF's zero-mean-unit-var), run as one
// batch in eval mode without gradients (the model's training mode is restored), on the model's device; frames in
// `mask_spans` take the mask embedding (the noise-masking attack's upper bound).
std::vector<Recognition> recognise(CtcModel& model, const std::vector<std::span<const float>>& waveforms,
                                   bool do_normalize, const DecodeOptions& options = {},
                                   const FrameMaskSpans& mask_spans = {});

struct BatchedRecognition {
  std::vector<std::optional<Recognition>> results;  // in input order; empty where recognition failed
  std::vector<std::string> errors;                  // why, per input ("" where it succeeded)
};

// Any number of utterances of any lengths: length-sorted batches under `limits` (util/batching.h), each run by
// recognise(). A batch the model refuses is retried one utterance at a time, so a bad item costs only itself.
BatchedRecognition recognise_batched(CtcModel& model, const std::vector<std::span<const float>>& waveforms,
                                     bool do_normalize, const DecodeOptions& options = {},
                                     const BatchLimits& limits = {}, const FrameMaskSpans& mask_spans = {});

}  // namespace speechleak::asr
