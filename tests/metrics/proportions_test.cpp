// Wilson intervals and the one-sided exact tests against values computed independently (closed forms; the Fisher
// tail by enumerating the hypergeometric with Python's math.comb).
#include "speechleak/metrics/proportions.h"

#include <gtest/gtest.h>

namespace speechleak::metrics {
namespace {

TEST(Wilson, MatchesTheClosedFormAndStaysInsideZeroOne) {
  auto a = wilson_interval(5, 10);  // (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
  EXPECT_NEAR(a.lower, 0.236593, 1e-5);
  EXPECT_NEAR(a.upper, 0.763407, 1e-5);
  auto b = wilson_interval(0, 10);  // 0, 0.2775
  EXPECT_DOUBLE_EQ(b.lower, 0.0);
  EXPECT_NEAR(b.upper, 0.277533, 1e-5);
  auto c = wilson_interval(10, 10);
  EXPECT_NEAR(c.lower, 0.722467, 1e-5);
  EXPECT_DOUBLE_EQ(c.upper, 1.0);
  auto d = wilson_interval(0, 0);
  EXPECT_EQ(d.lower, 0.0);
  EXPECT_EQ(d.upper, 1.0);
}

TEST(FisherExact, OneSidedTailOfTheHypergeometric) {
  // 3 of 3 against 0 of 3: only the observed table is as extreme, P = 1 / C(6, 3) = 0.05.
  EXPECT_NEAR(fisher_exact_greater(3, 3, 0, 3), 0.05, 1e-12);
  // [[8, 2], [1, 5]]: sum over x = 8..9 of C(10, x) C(6, 9 - x) / C(16, 9) = 280 / 11440.
  EXPECT_NEAR(fisher_exact_greater(8, 10, 1, 6), 280.0 / 11440.0, 1e-12);
  // Equal rates are not evidence: 5 of 10 vs 5 of 10 gives a large p.
  EXPECT_GT(fisher_exact_greater(5, 10, 5, 10), 0.5);
  EXPECT_EQ(fisher_exact_greater(0, 10, 4, 10), 1.0);
  EXPECT_EQ(fisher_exact_greater(0, 0, 0, 0), 1.0);
  // The other direction is not what this test measures: the control higher gives p near 1.
  EXPECT_GT(fisher_exact_greater(1, 10, 8, 10), 0.99);
}

TEST(McNemarExact, BinomialTailOfTheDiscordantPairs) {
  EXPECT_NEAR(mcnemar_exact_greater(5, 0), 1.0 / 32, 1e-12);
  EXPECT_NEAR(mcnemar_exact_greater(6, 2), (28.0 + 8 + 1) / 256, 1e-12);  // P(B >= 6), B ~ Bin(8, 1/2)
  EXPECT_EQ(mcnemar_exact_greater(0, 0), 1.0);
  EXPECT_NEAR(mcnemar_exact_greater(0, 3), 1.0, 1e-12);
}

}  // namespace
}  // namespace speechleak::metrics
