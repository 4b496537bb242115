#include "speechleak/metrics/proportions.h"

#include <algorithm>
#include <cmath>

namespace speechleak::metrics {
namespace {

double log_choose(size_t n, size_t k) {
  return std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1);
}

}  // namespace

std::vector<double> binomial_pmf(size_t n, double q) {
  std::vector<double> pmf(n + 1, 0.0);
  if (q <= 0 || q >= 1) {
    pmf[q <= 0 ? 0 : n] = 1.0;
    return pmf;
  }
  const double lq = std::log(q), l1q = std::log1p(-q);
  for (size_t x = 0; x <= n; ++x) pmf[x] = std::exp(log_choose(n, x) + double(x) * lq + double(n - x) * l1q);
  return pmf;
}

Interval wilson_interval(size_t k, size_t n, double z) {
  if (n == 0) return {0.0, 1.0};
  const double p = double(k) / double(n), nn = double(n), z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double fisher_exact_greater(size_t a, size_t n1, size_t c, size_t n2) {
  const size_t successes = a + c, total = n1 + n2;
  if (a == 0 || total == 0) return 1.0;
  // X = successes in group 1 given the margins: P(X = x) = C(n1, x) C(n2, s - x) / C(n1 + n2, s).
  const double log_denominator = log_choose(total, successes);
  const size_t high = std::min(n1, successes);
  double p = 0;
  for (size_t x = a; x <= high; ++x) {
    if (successes - x > n2) continue;
    p += std::exp(log_choose(n1, x) + log_choose(n2, successes - x) - log_denominator);
  }
  return std::min(1.0, p);
}

double mcnemar_exact_greater(size_t b, size_t c) {
  const size_t n = b + c;
  if (n == 0) return 1.0;
  const auto pmf = binomial_pmf(n, 0.5);
  double p = 0;
  for (size_t x = b; x <= n; ++x) p += pmf[x];
  return std::min(1.0, p);
}

}  // namespace speechleak::metrics
