#include "speechleak/train/masking.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "speechleak/util/error.h"

namespace speechleak::train {

int64_t effective_span(int64_t frames, const MaskingConfig& config) {
  if (frames >= 4 * static_cast<int64_t>(config.span)) return config.span;
  return std::max<int64_t>(1, frames / 4);
}

std::vector<int64_t> span_mask_indices(int64_t frames, const MaskingConfig& config, Rng& rng) {
  if (frames <= 0 || config.prob <= 0) return {};
  const int64_t span = effective_span(frames, config);
  const int64_t positions = frames - span + 1;
  int64_t starts = static_cast<int64_t>(std::floor(config.prob * static_cast<double>(frames) + uniform01(rng)));
  starts = std::clamp<int64_t>(std::max<int64_t>(starts, config.min_spans), 0, positions);
  std::vector<char> masked(frames, 0);
  for (size_t start : sample_without_replacement(static_cast<size_t>(positions), static_cast<size_t>(starts), rng))
    std::fill(masked.begin() + static_cast<int64_t>(start), masked.begin() + static_cast<int64_t>(start) + span, 1);
  std::vector<int64_t> out;
  for (int64_t t = 0; t < frames; ++t)
    if (masked[t]) out.push_back(t);
  return out;
}

at::Tensor span_mask(const std::vector<int64_t>& frame_lengths, int64_t max_frames, const MaskingConfig& config,
                     const std::vector<uint64_t>& seeds) {
  if (seeds.size() != frame_lengths.size())
    throw invalid_argument("seeds", std::to_string(frame_lengths.size()) + " (one per utterance)",
                           std::to_string(seeds.size()));
  const auto b = static_cast<int64_t>(frame_lengths.size());
  auto mask = at::zeros({b, max_frames}, at::kBool);
  auto* m = mask.data_ptr<bool>();
  for (int64_t i = 0; i < b; ++i) {
    if (frame_lengths[i] > max_frames)
      throw invalid_argument("frame_lengths[" + std::to_string(i) + "]", "<= " + std::to_string(max_frames),
                             std::to_string(frame_lengths[i]));
    Rng rng(seeds[i]);
    for (int64_t t : span_mask_indices(frame_lengths[i], config, rng)) m[i * max_frames + t] = true;
  }
  return mask;
}

at::Tensor batch_time_mask(const Batch& batch, int epoch, uint64_t seed, const MaskingConfig& config) {
  auto lengths = batch.frame_lengths.to(at::kLong).contiguous().cpu();
  const std::vector<int64_t> frames(lengths.data_ptr<int64_t>(), lengths.data_ptr<int64_t>() + lengths.numel());
  std::vector<uint64_t> seeds;
  for (const auto& id : batch.ids) seeds.push_back(derive_seed(seed, epoch_stream("mask", epoch, id)));
  // The longest utterance sets the batch's frame count.
  return span_mask(frames, *std::max_element(frames.begin(), frames.end()), config, seeds);
}

at::Tensor batch_channel_mask(const Batch& batch, int epoch, uint64_t seed, const MaskingConfig& config,
                              int64_t channels) {
  const std::vector<int64_t> all(batch.ids.size(), channels);
  std::vector<uint64_t> seeds;
  for (const auto& id : batch.ids) seeds.push_back(derive_seed(seed, epoch_stream("channel-mask", epoch, id)));
  return span_mask(all, channels, config, seeds);
}

}  // namespace speechleak::train
