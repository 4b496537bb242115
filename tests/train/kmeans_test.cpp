#include "speechleak/train/kmeans.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <set>

#include "speechleak/util/error.h"

namespace speechleak::train {
namespace {

// Three tight blobs around (0,0), (10,0), (0,10); 60 points each, generated with a fixed torch seed.
at::Tensor blobs() {
  at::manual_seed(3);
  auto centres = at::tensor({0.f, 0.f, 10.f, 0.f, 0.f, 10.f}).view({3, 2});
  return (centres.repeat_interleave(60, 0) + 0.3 * at::randn({180, 2})).contiguous();
}

KMeansConfig config(int k) {
  KMeansConfig c;
  c.clusters = k;
  c.max_iterations = 30;
  c.max_frames = 1000;
  return c;
}

TEST(KMeans, DeterministicPerSeed) {
  auto x = at::randn({500, 5}, at::TensorOptions().dtype(at::kFloat));
  auto a = fit_kmeans(x, config(7), 11);
  auto b = fit_kmeans(x, config(7), 11);
  EXPECT_TRUE(at::equal(a.centroids, b.centroids));
  EXPECT_EQ(a.inertia, b.inertia);
  auto c = fit_kmeans(x, config(7), 12);
  EXPECT_FALSE(at::equal(kmeans_plus_plus(x, 7, 11), kmeans_plus_plus(x, 7, 12)));
  EXPECT_GT(c.inertia, 0.0);
}

TEST(KMeans, RecoversSeparatedBlobs) {
  auto x = blobs();
  auto r = fit_kmeans(x, config(3), 5);
  auto labels = assign_clusters(x, r.centroids);
  // Every blob maps to one cluster, and the three blobs to three different clusters.
  std::set<int64_t> seen;
  for (int b = 0; b < 3; ++b) {
    auto part = labels.narrow(0, b * 60, 60);
    EXPECT_EQ(part.min().item<int64_t>(), part.max().item<int64_t>()) << "blob " << b;
    seen.insert(part[0].item<int64_t>());
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_LT(r.inertia / 180.0, 0.5);  // per-point squared distance ~ 2 * 0.3^2
}

TEST(KMeans, PlusPlusPicksDistinctBlobs) {
  auto x = blobs();
  auto c = kmeans_plus_plus(x, 3, 9);
  auto labels = assign_clusters(c, at::tensor({0.f, 0.f, 10.f, 0.f, 0.f, 10.f}).view({3, 2}));
  EXPECT_EQ(std::get<0>(at::_unique(labels)).numel(), 3);
}

TEST(KMeans, AssignsToNearestCentroid) {
  auto c = at::tensor({0.f, 0.f, 1.f, 1.f}).view({2, 2});
  auto x = at::tensor({0.1f, 0.f, 0.9f, 1.2f, 0.4f, 0.4f}).view({3, 2});
  at::Tensor d;
  auto l = assign_clusters(x, c, &d);
  EXPECT_EQ(l[0].item<int64_t>(), 0);
  EXPECT_EQ(l[1].item<int64_t>(), 1);
  EXPECT_EQ(l[2].item<int64_t>(), 0);
  EXPECT_NEAR(d[0].item<float>(), 0.01f, 1e-6);
}

TEST(KMeans, RejectsTooFewPoints) {
  EXPECT_THROW(fit_kmeans(at::randn({3, 2}), config(5), 1), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::train
