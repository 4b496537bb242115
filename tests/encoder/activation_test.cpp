// GELU for training: the same values and gradients as exact GELU written out with erf, also when the incoming
// gradient is not contiguous (the case libtorch 1.13.1's gelu_backward gets wrong).
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <cmath>

#include "speechleak/encoder/module_util.h"

namespace speechleak::encoder {
namespace {

TEST(Activation, TrainingGeluMatchesErfGeluWithNonContiguousGradients) {
  at::manual_seed(3);
  const auto base = at::randn({6, 40, 24}) * 3;
  auto a = base.clone().requires_grad_(true), b = base.clone().requires_grad_(true);
  // transposed consumers make the gradient reaching GELU non-contiguous, as behind the conv extractor
  const auto weight = at::randn({24, 40});
  auto ya = gelu_for_training(a), yb = 0.5 * b * (1.0 + at::erf(b * M_SQRT1_2));
  EXPECT_TRUE(at::allclose(ya, yb, 1e-5, 1e-6));
  (ya.transpose(1, 2) * weight).sum().backward();
  (yb.transpose(1, 2) * weight).sum().backward();
  ASSERT_TRUE(a.grad().isfinite().all().item<bool>());
  EXPECT_TRUE(at::allclose(a.grad(), b.grad(), 1e-4, 1e-5)) << (a.grad() - b.grad()).abs().max();
}

TEST(Activation, ActivateUsesTheTrainingGeluOnlyWithAGradient) {
  const auto x = at::linspace(-4, 4, 101);
  EXPECT_TRUE(at::equal(activate(x, Activation::Gelu), at::gelu(x)));
  auto y = x.clone().requires_grad_(true);
  EXPECT_TRUE(at::allclose(activate(y, Activation::Gelu), at::gelu(x), 1e-6, 1e-7));
  EXPECT_NE(activate(y, Activation::Gelu).grad_fn(), nullptr);
}

}  // namespace
}  // namespace speechleak::encoder
