#pragma once
// The basic membership scores of Tseng et al. (Interspeech 2022), in closed form where one exists.
//
// Frames are one utterance's hidden states, a [T, D] float tensor (T frames of width D). Utterance means are
// [D] vectors. Scores are computed in float64.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace speechleak::attack {

// Mean over pairs i<j of (1 - cos(h_i, h_j)) in O(T D): with u_i = h_i / |h_i| (0 for an all-zero frame, whose
// cosine with anything is 0, as torch.cosine_similarity's) and s = sum u_i,
// mean_{i<j} cos = (|s|^2 - N) / (T (T - 1)), N = sum |u_i|^2 = the number of nonzero frames.
// Needs T >= 2 (throws InvalidArgument naming `frames` otherwise).
double utterance_cosine_distance(const at::Tensor& frames);

// The same from the summary a feature store keeps: frame count T, the sum of L2-normalised frames and N, the
// number of nonzero frames (stores written before N was stored: pass T, exact unless a frame is all zero).
double utterance_cosine_distance_from_summary(int64_t frame_count, const at::Tensor& unit_frame_sum,
                                              double unit_frames);
// N of the formula above: frames with a nonzero norm.
int64_t nonzero_frame_count(const at::Tensor& frames);

// Mean over pairs i<j of |h_i - h_j|, exactly (no closed form exists for the square root): blocked pairwise
// distances in O(T^2 D) time and O(block T) memory.
double utterance_euclidean_distance(const at::Tensor& frames);

// Sum of the L2-normalised frames, [D] (float64): what utterance_cosine_distance_from_summary needs.
at::Tensor unit_frame_sum(const at::Tensor& frames);

// Speaker score: mean over pairs i<j of cos(mean_i, mean_j) of the speaker's utterance-mean vectors, closed form.
// Needs at least 2 utterances.
double speaker_cosine_similarity(const std::vector<at::Tensor>& utterance_means);

}  // namespace speechleak::attack
