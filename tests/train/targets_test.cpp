#include "speechleak/train/targets.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "speechleak/util/error.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

std::vector<at::Tensor> waves(int n) {
  std::vector<at::Tensor> out;
  for (int i = 0; i < n; ++i) out.push_back(at::tensor(test::speechish(1.0, 50 + i), at::kFloat));
  return out;
}

KMeansConfig config(const std::string& scope, int k) {
  KMeansConfig c;
  c.clusters = k;
  c.scope = scope;
  c.max_iterations = 10;
  return c;
}

TEST(Targets, GlobalTargetsAreDeterministicAndRoundTrip) {
  auto w = waves(3);
  auto a = fit_targets(w, {}, MfccConfig{}, config("global", 6), 1);
  auto b = fit_targets(w, {}, MfccConfig{}, config("global", 6), 1);
  EXPECT_EQ(a.clusters(), 6);
  EXPECT_TRUE(at::equal(a.centroids, b.centroids));
  auto labels = a.labels(w[0]);
  EXPECT_EQ(labels.size(0), 49);
  EXPECT_GE(labels.min().item<int64_t>(), 0);
  EXPECT_LT(labels.max().item<int64_t>(), 6);
  testing::TempDir dir;
  a.save(dir / "t.safetensors");
  auto c = TargetModel::load(dir / "t.safetensors");
  EXPECT_TRUE(at::equal(c.labels(w[1]), a.labels(w[1])));
  EXPECT_EQ(c.mfcc.n_mfcc, 13);
}

TEST(Targets, ScopedTargetsOwnOneLabelRangePerGroup) {
  auto w = waves(4);
  std::vector<std::string> groups = {"s1", "s0", "s1", "s0"};
  auto t = fit_targets(w, groups, MfccConfig{}, config("speaker", 5), 2);
  EXPECT_EQ(t.clusters(), 10);
  ASSERT_EQ(t.groups, (std::vector<std::string>{"s0", "s1"}));
  auto l0 = t.labels(w[1], "s0"), l1 = t.labels(w[0], "s1");
  EXPECT_LT(l0.max().item<int64_t>(), 5);
  EXPECT_GE(l1.min().item<int64_t>(), 5);
  EXPECT_THROW(t.labels(w[0], "nobody"), InvalidArgument);
  testing::TempDir dir;
  t.save(dir / "t.safetensors");
  auto back = TargetModel::load(dir / "t.safetensors");
  EXPECT_EQ(back.scope, "speaker");
  EXPECT_TRUE(at::equal(back.labels(w[2], "s1"), t.labels(w[2], "s1")));
}

TEST(Targets, TooManyClustersForAGroupIsNamed) {
  auto w = waves(2);
  try {
    fit_targets(w, {"a", "b"}, MfccConfig{}, config("utterance", 60), 1);
    FAIL() << "60 clusters for one utterance's frames accepted";
  } catch (const InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("60"), std::string::npos) << m;
    EXPECT_NE(m.find("'a'"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace speechleak::train
