#include "speechleak/train/kmeans.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::train {
namespace {

constexpr int64_t kChunk = 8192;  // rows per distance block: bounds the [chunk, K] temporaries

// Squared distances [n, K] of rows x [n, D] to centroids c [K, D] (|x|^2 - 2 x.c + |c|^2, clamped at 0).
at::Tensor sq_distances(const at::Tensor& x, const at::Tensor& c, const at::Tensor& c_norm) {
  auto xn = (x * x).sum(1, true);
  return at::clamp_min(xn - 2.0 * at::matmul(x, c.t()) + c_norm.unsqueeze(0), 0.0);
}

void check_input(const at::Tensor& x, int clusters) {
  if (x.dim() != 2) throw invalid_argument("kmeans input", "a 2-D tensor [N, D]", std::to_string(x.dim()) + "-D");
  if (x.size(0) < clusters)
    throw invalid_argument("kmeans input", "at least as many points as clusters (" + std::to_string(clusters) + ")",
                           std::to_string(x.size(0)) + " points");
}

// Index i with probability w[i] / sum(w) (cumulative search; w >= 0, sum > 0).
int64_t weighted_draw(const std::vector<double>& w, double total, Rng& rng) {
  const double r = uniform01(rng) * total;
  double acc = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    acc += w[i];
    if (r < acc) return static_cast<int64_t>(i);
  }
  for (size_t i = w.size(); i-- > 0;)  // rounding left r >= acc: the last point with weight
    if (w[i] > 0) return static_cast<int64_t>(i);
  return 0;
}

}  // namespace

at::Tensor assign_clusters(const at::Tensor& x, const at::Tensor& centroids, at::Tensor* sq_dist) {
  const int64_t n = x.size(0);
  auto labels = at::empty({n}, at::kLong);
  at::Tensor best = at::empty({n}, at::kFloat);
  auto c_norm = (centroids * centroids).sum(1);
  for (int64_t s = 0; s < n; s += kChunk) {
    const int64_t len = std::min(kChunk, n - s);
    auto d = sq_distances(x.narrow(0, s, len), centroids, c_norm);
    auto [v, i] = d.min(1);
    labels.narrow(0, s, len).copy_(i);
    best.narrow(0, s, len).copy_(v);
  }
  if (sq_dist) *sq_dist = best;
  return labels;
}

at::Tensor kmeans_plus_plus(const at::Tensor& x_in, int clusters, uint64_t seed) {
  check_input(x_in, clusters);
  auto x = x_in.to(at::kFloat).contiguous();
  const int64_t n = x.size(0);
  Rng rng(derive_seed(seed, "kmeans++"));
  auto centroids = at::empty({clusters, x.size(1)}, at::kFloat);
  centroids[0].copy_(x[static_cast<int64_t>(uniform_index(rng, n))]);
  // d2[i]: squared distance of point i to its nearest chosen centre, updated with each new centre.
  auto first = centroids.narrow(0, 0, 1);
  at::Tensor d2 = sq_distances(x, first, (first * first).sum(1)).squeeze(1).to(at::kDouble).contiguous();
  std::vector<double> w(n);
  for (int k = 1; k < clusters; ++k) {
    const double* p = d2.data_ptr<double>();
    double total = 0;
    for (int64_t i = 0; i < n; ++i) total += (w[i] = p[i]);
    // All remaining points coincide with centres: any point will do (duplicates give empty clusters, reseeded).
    const int64_t pick = total > 0 ? weighted_draw(w, total, rng) : static_cast<int64_t>(uniform_index(rng, n));
    centroids[k].copy_(x[pick]);
    auto c = centroids.narrow(0, k, 1);
    auto dk = sq_distances(x, c, (c * c).sum(1)).squeeze(1).to(at::kDouble);
    d2 = at::minimum(d2, dk).contiguous();
  }
  return centroids;
}

KMeansResult fit_kmeans(const at::Tensor& x_in, const KMeansConfig& config, uint64_t seed) {
  config.validate();
  check_input(x_in, config.clusters);
  auto x = x_in.to(at::kFloat).contiguous();
  const int64_t k = config.clusters;
  KMeansResult r;
  r.centroids = kmeans_plus_plus(x, config.clusters, seed);
  double previous = INFINITY;
  for (int it = 0; it < config.max_iterations; ++it) {
    at::Tensor d;
    auto labels = assign_clusters(x, r.centroids, &d);
    r.inertia = d.sum().item<double>();
    r.iterations = it + 1;
    auto sums = at::zeros({k, x.size(1)}, at::kFloat).index_add_(0, labels, x);
    auto counts = at::zeros({k}, at::kFloat).index_add_(0, labels, at::ones({x.size(0)}, at::kFloat));
    auto empty = (counts == 0).nonzero().squeeze(1);
    r.centroids = sums / at::clamp_min(counts, 1.0).unsqueeze(1);
    if (empty.numel() > 0) {
      // Empty clusters restart on the points farthest from their centroids (deterministic: topk is ordered).
      auto worst = std::get<1>(d.topk(empty.numel()));
      r.centroids.index_copy_(0, empty, x.index_select(0, worst));
      r.reseeded += static_cast<int>(empty.numel());
      continue;
    }
    if (std::isfinite(previous) && previous - r.inertia <= config.tolerance * std::max(previous, 1e-30)) break;
    previous = r.inertia;
  }
  at::Tensor d;
  assign_clusters(x, r.centroids, &d);
  r.inertia = d.sum().item<double>();
  return r;
}

}  // namespace speechleak::train
