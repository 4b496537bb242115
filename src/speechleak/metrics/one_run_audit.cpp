#include "speechleak/metrics/one_run_audit.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "speechleak/metrics/proportions.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {

void OneRunCounts::validate() const {
  if (guesses == 0 || guesses > canaries)
    throw invalid_argument("--guesses", "1 to the number of canaries (" + std::to_string(canaries) + ")",
                           std::to_string(guesses));
  if (correct > guesses)
    throw invalid_argument("--correct", "at most the guesses (" + std::to_string(guesses) + ")",
                           std::to_string(correct));
}

double one_run_p_value(double eps, const OneRunCounts& c, double delta) {
  c.validate();
  const double q = 1.0 / (1.0 + std::exp(-eps));
  const auto pmf = binomial_pmf(c.guesses, q);
  double tail = 0;  // P[Bin(r, q) >= v]
  for (size_t x = c.correct; x <= c.guesses; ++x) tail += pmf[x];
  double alpha = 0, window = 0;  // window = P[v - i <= Bin < v], grown one term per i
  for (size_t i = 1; i <= c.correct; ++i) {
    window += pmf[c.correct - i];
    alpha = std::max(alpha, window / double(i));
  }
  return std::min(1.0, tail + 2.0 * double(c.canaries) * delta * alpha);
}

double epsilon_lower_bound(const OneRunCounts& c, double delta, double p) {
  c.validate();
  if (!(p > 0 && p < 1)) throw invalid_argument("--p", "a level in (0, 1)", std::to_string(p));
  if (!(delta >= 0 && delta < 1)) throw invalid_argument("--delta", "a value in [0, 1)", std::to_string(delta));
  double lo = 0, hi = 30;
  if (one_run_p_value(lo, c, delta) > p) return 0;
  if (one_run_p_value(hi, c, delta) <= p) return hi;
  while (hi - lo > 1e-7) {  // the p-value grows with eps: the rejected region is [0, eps_LB]
    const double mid = 0.5 * (lo + hi);
    (one_run_p_value(mid, c, delta) <= p ? lo : hi) = mid;
  }
  return lo;
}

OneRunGuesses one_run_guesses(const std::vector<double>& scores, const std::vector<bool>& inserted, size_t k_plus,
                              size_t k_minus) {
  const size_t m = scores.size();
  if (inserted.size() != m)
    throw invalid_argument("canary truth", std::to_string(m) + " entries (one per score)", std::to_string(inserted.size()));
  if (k_plus + k_minus == 0 || k_plus + k_minus > m)
    throw invalid_argument("--guesses-in + --guesses-out", "1 to the number of canaries (" + std::to_string(m) + ")",
                           std::to_string(k_plus) + " + " + std::to_string(k_minus));
  std::vector<size_t> order(m);
  for (size_t i = 0; i < m; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  OneRunGuesses g;
  g.guess.assign(m, 0);
  for (size_t i = 0; i < k_plus; ++i) g.guess[order[i]] = 1;
  for (size_t i = 0; i < k_minus; ++i) g.guess[order[m - 1 - i]] = -1;
  g.counts = {m, k_plus + k_minus, 0};
  for (size_t i = 0; i < m; ++i)
    if ((g.guess[i] == 1 && inserted[i]) || (g.guess[i] == -1 && !inserted[i])) ++g.counts.correct;
  return g;
}

double exposure(double canary, const std::vector<double>& references) {
  const auto above = std::count_if(references.begin(), references.end(), [&](double r) { return r >= canary; });
  const double candidates = double(references.size()) + 1, rank = double(above) + 1;
  return std::log2(candidates) - std::log2(rank);
}

}  // namespace speechleak::metrics
