#pragma once
// Proportions and the exact tests that compare them (the noise-masking attack's recovery rates, target vs control).
// Torch-free.
#include <cstddef>
#include <vector>

#include "speechleak/metrics/bootstrap.h"  // Interval

namespace speechleak::metrics {

// Wilson score interval of k successes in n trials at the two-sided level given by z (1.959964: 95%).
// n = 0 gives [0, 1].
Interval wilson_interval(size_t k, size_t n, double z = 1.959963984540054);

// P(X = 0..n) for X ~ Binomial(n, q), computed in log space (exact at q = 0 and q = 1).
std::vector<double> binomial_pmf(size_t n, double q);

// One-sided Fisher exact test that the first group's success rate is the larger: P(X >= a) for X hypergeometric
// with the 2x2 margins of (a of n1 successes, c of n2 successes). 1 when a = 0 or both groups are empty.
double fisher_exact_greater(size_t a, size_t n1, size_t c, size_t n2);

// One-sided exact McNemar test for paired binary outcomes: b pairs where only the first succeeded, c where only the
// second did; P(B >= b) for B ~ Binomial(b + c, 1/2). 1 when b + c = 0.
double mcnemar_exact_greater(size_t b, size_t c);

}  // namespace speechleak::metrics
