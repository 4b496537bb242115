#pragma once
// HuBERT / wav2vec 2.0 span masking of frames (fairseq compute_mask_indices, without its batch-equalising trim).
//
// For an utterance with n valid frames:
//   span  = config.span, shrunk to max(1, n / 4) when the utterance is shorter than 4 spans, so that a short
//           utterance keeps unmasked context to predict from;
//   starts = floor(prob * n + u), u ~ U[0,1) (stochastic rounding, as fairseq's int(x + rand)), at least
//           min_spans, at most n - span + 1; drawn without replacement from [0, n - span];
//   every frame of every span is masked (spans may overlap, so ~57% of frames at prob 0.08 / span 10).
// Padded frames (>= n) are never masked.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "speechleak/train/data_pipeline.h"
#include "speechleak/train/hubert_config.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

// The masked frame indices of one utterance of `frames` valid frames, ascending.
std::vector<int64_t> span_mask_indices(int64_t frames, const MaskingConfig& config, Rng& rng);

// The span length used for an utterance of `frames` frames (see above).
int64_t effective_span(int64_t frames, const MaskingConfig& config);

// [B, max_frames] bool, true = masked; frame_lengths[b] <= max_frames. One Rng per utterance (seeds[b]), so an
// utterance's mask does not depend on its batch neighbours.
at::Tensor span_mask(const std::vector<int64_t>& frame_lengths, int64_t max_frames, const MaskingConfig& config,
                     const std::vector<uint64_t>& seeds);

// The time mask of a batch for `epoch`: span_mask over its frames, utterance b drawn from
// derive_seed(seed, "mask/<epoch>/<id>") (what the objectives that mask time use).
at::Tensor batch_time_mask(const Batch& batch, int epoch, uint64_t seed, const MaskingConfig& config);

// The channel mask of a batch for `epoch`: [B, channels] bool, span_mask over the channel axis (every utterance has
// all `channels`), utterance b drawn from derive_seed(seed, "channel-mask/<epoch>/<id>"); a masked channel is
// zeroed in every frame of that utterance (HF's mask_feature_prob / fairseq's mask_channel_prob).
at::Tensor batch_channel_mask(const Batch& batch, int epoch, uint64_t seed, const MaskingConfig& config,
                              int64_t channels);

}  // namespace speechleak::train
