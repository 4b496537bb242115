#include "speechleak/train/masking.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "speechleak/train/encoder_forward.h"
#include "speechleak/train/model_init.h"
#include "speechleak/util/error.h"
#include "support/tiny_encoder.h"

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

TEST(Masking, ChannelMaskIsPerUtteranceAndEpochAndZeroesWholeChannels) {
  Batch b;
  b.ids = {"a", "b"};
  MaskingConfig c;
  c.prob = 0.1 / 4;  // ~10% of 64 channels in spans of 4
  c.span = 4;
  c.min_spans = 1;
  const auto m = batch_channel_mask(b, 0, 9, c, 64);
  ASSERT_EQ(m.sizes(), (at::IntArrayRef{2, 64}));
  EXPECT_TRUE(m[0].any().item<bool>());
  EXPECT_FALSE(at::equal(m[0], m[1])) << "each utterance draws its own channels";
  EXPECT_TRUE(at::equal(m, batch_channel_mask(b, 0, 9, c, 64))) << "a function of (seed, epoch, id)";
  EXPECT_FALSE(at::equal(m, batch_channel_mask(b, 1, 9, c, 64))) << "a new draw every epoch";

  // In the forward pass a masked channel is zero in every frame of the projected features: the encoder input
  // differs from the unmasked one exactly there.
  auto model = init_encoder_model(testing::tiny_encoder_config());
  model->eval();
  const auto w = at::randn({2, 8000});
  const auto lengths = at::full({2}, 8000, at::kLong);
  auto cm = at::zeros({2, 32}, at::kBool);
  cm[0].narrow(0, 3, 5).fill_(true);
  at::NoGradGuard no_grad;
  const auto plain = masked_forward(model, w, lengths, {}, 1.0);
  const auto masked = masked_forward(model, w, lengths, {}, 1.0, cm);
  EXPECT_TRUE(at::allclose(plain[1], masked[1])) << "utterance 1 has no masked channel";
  EXPECT_FALSE(at::allclose(plain[0], masked[0]));
  EXPECT_THROW(masked_forward(model, w, lengths, {}, 1.0, at::zeros({2, 31}, at::kBool)), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::train
