#pragma once
// Privacy auditing in one training run (Steinke, Nasr and Jagielski, NeurIPS 2023) and the exposure of a canary
// (Carlini et al., "The Secret Sharer", 2019). docs/calibrated-attacks.md has the procedure; torch-free.
//
// m canaries, each put into the training data with probability 1/2; after training the auditor guesses "in" for
// its k+ highest-scoring canaries and "out" for the k- lowest (k+ and k- fixed before looking), abstaining on the
// rest: r = k+ + k- guesses, v of them correct. If training were (eps, delta)-DP, with q = e^eps / (1 + e^eps),
//   P[V >= v] <= P[Bin(r, q) >= v] + 2 m delta alpha,   alpha = max_{i=1..v} (1/i) P[v > Bin(r, q) >= v - i].
// The lower bound eps_LB is the largest eps that this p-value still rejects at level p.
#include <cstddef>
#include <vector>

namespace speechleak::metrics {

struct OneRunCounts {
  size_t canaries = 0;  // m: canaries drawn (included or not)
  size_t guesses = 0;   // r = k+ + k-
  size_t correct = 0;   // v
  void validate() const;  // 0 < guesses <= canaries, correct <= guesses; InvalidArgument naming --guesses / --correct
};

// The upper bound on P[V >= v] under (eps, delta)-DP above. delta in [0, 1).
double one_run_p_value(double eps, const OneRunCounts& counts, double delta = 0);

// The largest eps in [0, 30] whose p-value is <= p (0 when even eps = 0 is not rejected: no evidence of leakage),
// to 1e-6. p in (0, 1); throws InvalidArgument naming --p / --delta.
double epsilon_lower_bound(const OneRunCounts& counts, double delta = 0, double p = 0.05);

// The auditor's guesses: "in" (+1) for the k_plus highest scores, "out" (-1) for the k_minus lowest, abstain (0)
// otherwise; ties in the score are broken by index (lower first among equals, on both ends), so the guesses depend
// on the scores and their order only. `inserted[i]` is the truth of canary i.
struct OneRunGuesses {
  OneRunCounts counts;      // canaries = scores.size(), guesses = k_plus + k_minus, correct
  std::vector<int> guess;   // per canary: +1, -1 or 0
};
// Throws InvalidArgument (naming --guesses-in / --guesses-out) when k_plus + k_minus exceeds the canaries or is 0.
OneRunGuesses one_run_guesses(const std::vector<double>& scores, const std::vector<bool>& inserted, size_t k_plus,
                              size_t k_minus);

// log2 |R| - log2 rank: the canary's rank among itself and `references` (scores of candidates that were never
// trained on, higher = more member-like; rank 1 = above every reference, ties counted against the canary).
// |R| = references + 1. 0 when the canary ranks last; log2(|R|) when first.
double exposure(double canary_score, const std::vector<double>& reference_scores);

}  // namespace speechleak::metrics
