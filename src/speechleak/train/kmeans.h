#pragma once
// k-means (Lloyd) with k-means++ seeding, on CPU tensors. Deterministic for a given seed and thread count: the only
// random steps (the k-means++ draws, the frame sample) use speechleak::Rng streams derived from the seed.
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "speechleak/train/hubert_config.h"

namespace speechleak::train {

struct KMeansResult {
  at::Tensor centroids;  // [K, D] float32
  double inertia = 0;    // sum of squared distances to the nearest centroid, on the points fitted
  int iterations = 0;
  int reseeded = 0;      // empty clusters moved onto the worst-fitted points
};

// x [N, D] float32 (N >= clusters). Throws InvalidArgument for fewer points than clusters or a non-2-D input.
KMeansResult fit_kmeans(const at::Tensor& x, const KMeansConfig& config, uint64_t seed);

// k-means++ seeding alone: [K, D] rows of x.
at::Tensor kmeans_plus_plus(const at::Tensor& x, int clusters, uint64_t seed);

// Nearest centroid of every row: x [N, D], centroids [K, D] -> [N] int64. Also returns the squared distances
// [N] float32 through `sq_dist` when given.
at::Tensor assign_clusters(const at::Tensor& x, const at::Tensor& centroids, at::Tensor* sq_dist = nullptr);

}  // namespace speechleak::train
