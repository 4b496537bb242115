#include "speechleak/attack/basic_scores.h"

#include <ATen/ATen.h>

#include <limits>
#include <string>

#include "speechleak/util/error.h"

namespace speechleak::attack {
namespace {

void check_frames(const at::Tensor& frames) {
  if (frames.dim() != 2)
    throw invalid_argument("frames", "a [T, D] tensor", "a tensor of rank " + std::to_string(frames.dim()));
  if (frames.size(0) < 2)
    throw invalid_argument("frames", "at least 2 frames for a pairwise score", std::to_string(frames.size(0)));
  if (!at::isfinite(frames).all().item<bool>()) throw invalid_argument("frames", "finite values", "NaN or infinity");
}

// (|s|^2 - m) / (m (m - 1)) where s sums m unit (or zero) vectors.
double mean_pairwise_cos(int64_t m, const at::Tensor& unit_sum, double self_similarity_sum) {
  const double s2 = unit_sum.to(at::kDouble).pow(2).sum().item<double>();
  return (s2 - self_similarity_sum) / (static_cast<double>(m) * (m - 1));
}

}  // namespace

at::Tensor unit_frame_sum(const at::Tensor& frames) {
  auto f = frames.to(at::kDouble);
  // A zero frame adds 0 (0 / tiny); any other frame its unit vector.
  auto norms = f.norm(2, {1}, true).clamp_min(std::numeric_limits<double>::min());
  return (f / norms).sum(0);
}

int64_t nonzero_frame_count(const at::Tensor& frames) {
  return (frames.to(at::kDouble).norm(2, {1}) > 0).sum().item<int64_t>();
}

double utterance_cosine_distance(const at::Tensor& frames) {
  check_frames(frames);
  // One definition on both paths: the summary's sum and count, computed here from the frames.
  return utterance_cosine_distance_from_summary(frames.size(0), unit_frame_sum(frames),
                                                static_cast<double>(nonzero_frame_count(frames)));
}

double utterance_cosine_distance_from_summary(int64_t frame_count, const at::Tensor& unit_sum, double unit_frames) {
  if (frame_count < 2)
    throw invalid_argument("frame_count", "at least 2 frames for a pairwise score", std::to_string(frame_count));
  if (!(unit_frames >= 0 && unit_frames <= static_cast<double>(frame_count)))
    throw invalid_argument("unit_frames", "in [0, frame_count=" + std::to_string(frame_count) + "]",
                           std::to_string(unit_frames));
  // Zero frames contribute 0 to s and 0 (not 1) to the diagonal subtracted.
  return 1.0 - mean_pairwise_cos(frame_count, unit_sum, unit_frames);
}

double utterance_euclidean_distance(const at::Tensor& frames) {
  check_frames(frames);
  auto f = frames.to(at::kDouble);
  const int64_t t = f.size(0);
  auto sq = f.pow(2).sum(1);  // [T]
  constexpr int64_t kBlock = 256;
  double total = 0;
  for (int64_t b = 0; b < t; b += kBlock) {
    auto rows = f.slice(0, b, std::min(t, b + kBlock));                       // [B, D]
    auto d2 = sq.slice(0, b, b + rows.size(0)).unsqueeze(1) + sq.unsqueeze(0) - 2 * at::mm(rows, f.t());
    total += d2.clamp_min(0).sqrt().sum().item<double>();  // both orders of each pair, diagonal ~0
  }
  return total / (static_cast<double>(t) * (t - 1));
}

double speaker_cosine_similarity(const std::vector<at::Tensor>& utterance_means) {
  const auto n = static_cast<int64_t>(utterance_means.size());
  if (n < 2)
    throw invalid_argument("utterance_means", "at least 2 utterances for a speaker score", std::to_string(n));
  auto means = at::stack(utterance_means).to(at::kDouble);
  if (!at::isfinite(means).all().item<bool>())
    throw invalid_argument("utterance_means", "finite values", "NaN or infinity");
  auto norms = means.norm(2, {1}, true);
  const double nonzero = (norms > 0).sum().item<double>();
  return mean_pairwise_cos(n, (means / norms.clamp_min(1e-300)).sum(0), nonzero);
}

}  // namespace speechleak::attack
