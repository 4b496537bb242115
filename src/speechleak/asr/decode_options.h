#pragma once
// How recognition decodes and batches (recognise.h), torch-free so that configs can hold them.
#include <cstdint>

namespace speechleak::asr {

struct DecodeOptions {
  int beam = 0;                  // 0 = greedy; N > 0 = prefix beam search keeping N prefixes
  double beam_prune = -20.0;     // labels with frame log-probability below this are not extended (beam only)
  bool keep_log_probs = false;   // return each utterance's [T, V] log-posteriors
  void validate() const;
};

// How many utterances one forward pass takes: at most max_batch_size, and at most max_batch_samples padded samples
// (which bounds the conv front end's memory).
struct BatchLimits {
  int max_batch_size = 16;
  int64_t max_batch_samples = 16000 * 16;
  void validate() const;
};

}  // namespace speechleak::asr
