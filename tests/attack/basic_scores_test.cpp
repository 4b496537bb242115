#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/util/error.h"

namespace speechleak::attack {
namespace {

// The O(m^2) pairwise means the authors' code computes, written out literally.
double brute_cosine_distance(const at::Tensor& f) {
  const int64_t m = f.size(0);
  double sum = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = i + 1; j < m; ++j) {
      const double ni = f[i].norm().item<double>(), nj = f[j].norm().item<double>();
      const double cos = (ni == 0 || nj == 0) ? 0.0 : (f[i] * f[j]).sum().item<double>() / (ni * nj);
      sum += 1.0 - cos;
    }
  return sum / (m * (m - 1) / 2.0);
}

double brute_euclidean(const at::Tensor& f) {
  const int64_t m = f.size(0);
  double sum = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = i + 1; j < m; ++j) sum += (f[i] - f[j]).norm().item<double>();
  return sum / (m * (m - 1) / 2.0);
}

TEST(BasicScores, CosineClosedFormEqualsPairwiseMean) {
  for (int seed = 0; seed < 4; ++seed) {
    at::manual_seed(seed);
    auto f = at::randn({37, 12}, at::kDouble) + (seed % 2 ? 0.5 : 0.0);
    if (seed == 3) f[5].zero_(), f[20].zero_();  // silent frames: cos 0 with everything
    EXPECT_NEAR(utterance_cosine_distance(f), brute_cosine_distance(f), 1e-10) << seed;
    EXPECT_EQ(nonzero_frame_count(f), seed == 3 ? 35 : 37);
    EXPECT_NEAR(utterance_cosine_distance_from_summary(37, unit_frame_sum(f), nonzero_frame_count(f)),
                brute_cosine_distance(f), 1e-10)
        << seed;
  }
}

TEST(BasicScores, EuclideanIsExactAcrossBlocks) {
  at::manual_seed(1);
  auto f = at::randn({300, 8});  // more rows than one 256-row block
  EXPECT_NEAR(utterance_euclidean_distance(f), brute_euclidean(f.to(at::kDouble)), 1e-6);
}

TEST(BasicScores, SpeakerClosedFormEqualsPairwiseMean) {
  at::manual_seed(2);
  std::vector<at::Tensor> means;
  for (int i = 0; i < 9; ++i) means.push_back(at::randn({16}, at::kDouble));
  double sum = 0;
  int pairs = 0;
  for (int i = 0; i < 9; ++i)
    for (int j = i + 1; j < 9; ++j, ++pairs)
      sum += (means[i] * means[j]).sum().item<double>() / (means[i].norm() * means[j].norm()).item<double>();
  EXPECT_NEAR(speaker_cosine_similarity(means), sum / pairs, 1e-12);
}

TEST(BasicScores, IdenticalFramesHaveZeroDistance) {
  auto f = at::ones({10, 4});
  EXPECT_NEAR(utterance_cosine_distance(f), 0.0, 1e-12);
  EXPECT_NEAR(utterance_euclidean_distance(f), 0.0, 1e-6);
}

TEST(BasicScores, BadInputsAreRefused) {
  EXPECT_THROW(utterance_cosine_distance(at::randn({1, 4})), InvalidArgument);
  EXPECT_THROW(utterance_cosine_distance(at::randn({4})), InvalidArgument);
  auto nan = at::randn({5, 4});
  nan[2][1] = std::nan("");
  EXPECT_THROW(utterance_euclidean_distance(nan), InvalidArgument);
  EXPECT_THROW(speaker_cosine_similarity({at::randn({4})}), InvalidArgument);
  EXPECT_THROW(utterance_cosine_distance_from_summary(1, at::zeros({4}), 1), InvalidArgument);
  EXPECT_THROW(utterance_cosine_distance_from_summary(3, at::zeros({4}), 4), InvalidArgument);  // N > T
}

}  // namespace
}  // namespace speechleak::attack
