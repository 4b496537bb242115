#include "speechleak/train/masking.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace speechleak::train {
namespace {

TEST(Masking, HubertDefaultsMaskAboutHalfTheFrames) {
  MaskingConfig c;  // p = 0.08, span 10
  double masked = 0, total = 0;
  for (uint64_t s = 0; s < 200; ++s) {
    Rng rng(s);
    masked += static_cast<double>(span_mask_indices(250, c, rng).size());
    total += 250;
  }
  // Expected 1 - (1 - 0.08)^10 ~ 0.57 for independent starts; without replacement and edge effects a bit less.
  EXPECT_GT(masked / total, 0.45);
  EXPECT_LT(masked / total, 0.62);
}

TEST(Masking, SpansAreContiguousRunsOfTheSpanLength) {
  MaskingConfig c;
  c.prob = 0.01;  // few, mostly non-overlapping spans
  Rng rng(4);
  auto idx = span_mask_indices(400, c, rng);
  ASSERT_FALSE(idx.empty());
  // Every run of consecutive masked frames is at least one span long.
  size_t run = 1;
  for (size_t i = 1; i <= idx.size(); ++i) {
    if (i < idx.size() && idx[i] == idx[i - 1] + 1) {
      ++run;
      continue;
    }
    EXPECT_GE(run, 10u);
    run = 1;
  }
}

TEST(Masking, ShortUtterancesGetShorterSpansAndStillOneSpan) {
  MaskingConfig c;
  EXPECT_EQ(effective_span(200, c), 10);
  EXPECT_EQ(effective_span(20, c), 5);
  EXPECT_EQ(effective_span(2, c), 1);
  Rng rng(1);
  auto idx = span_mask_indices(12, c, rng);  // 0.96 expected starts, at least min_spans = 1
  EXPECT_GE(idx.size(), 3u);
  EXPECT_LT(idx.size(), 12u);
}

TEST(Masking, BatchMaskNeverTouchesPaddingAndIsPerUtterance) {
  MaskingConfig c;
  auto m = span_mask({30, 50}, 50, c, {1, 2});
  EXPECT_FALSE(m[0].narrow(0, 30, 20).any().item<bool>());
  EXPECT_TRUE(m[0].any().item<bool>());
  // Utterance 1's mask depends only on its own seed and length.
  auto alone = span_mask({50}, 50, c, {2});
  EXPECT_TRUE(at::equal(m[1], alone[0]));
  auto other = span_mask({50}, 50, c, {3});
  EXPECT_FALSE(at::equal(other[0], alone[0]));
}

}  // namespace
}  // namespace speechleak::train
