#pragma once
// CTC decoding of a recogniser's per-frame outputs, without a language model or lexicon (the noise-masking attack
// must not bring knowledge of the target text in through the decoder).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace speechleak::asr {

// The best label of every frame ([T, V] logits or log-probabilities; argmax, lowest id on ties).
std::vector<int64_t> best_path(const at::Tensor& frame_scores);
// A frame path to labels: repeats merged, then blanks dropped ("a a _ a b b" -> "a a b").
std::vector<int64_t> collapse_path(const std::vector<int64_t>& path, int64_t blank);
// best_path + collapse_path.
std::vector<int64_t> greedy_decode(const at::Tensor& frame_scores, int64_t blank);

// CTC prefix beam search over [T, V] log-probabilities (log_softmax of the logits): keeps the `beam` most probable
// label prefixes, each with its probability of ending in a blank and in its last label, so that every alignment of
// a prefix adds to it. beam 1 is not greedy decoding (it sums alignments); labels whose frame probability is below
// exp(prune_log_prob) are not extended. Returns the most probable labelling and, in `log_prob`, its log-probability.
std::vector<int64_t> prefix_beam_search(const at::Tensor& log_probs, int64_t blank, int beam,
                                        double* log_prob = nullptr, double prune_log_prob = -20.0);

}  // namespace speechleak::asr
