#pragma once
// Test data for the metrics room: labelled scores built by hand or drawn from a seeded generator.
#include <cmath>
#include <cstdint>
#include <vector>

#include "speechleak/util/random.h"

namespace speechleak::metrics::testing {

struct Scored {
  std::vector<double> scores;
  std::vector<int> labels;  // 1 = member, 0 = non-member
};

// Members first, then non-members.
inline Scored from_classes(const std::vector<double>& members, const std::vector<double>& nonmembers) {
  Scored d;
  for (double s : members) {
    d.scores.push_back(s);
    d.labels.push_back(1);
  }
  for (double s : nonmembers) {
    d.scores.push_back(s);
    d.labels.push_back(0);
  }
  return d;
}

// Members ~ N(shift, 1), non-members ~ N(0, 1), interleaved at random. levels > 0 rounds every score to a grid of
// step 1 / levels, which produces many ties (within and across the classes).
inline Scored gaussian_scores(uint64_t seed, size_t n_members, size_t n_nonmembers, double shift, int levels = 0) {
  Rng rng(derive_seed(seed, "metrics.test.gaussian"));
  Scored d;
  size_t m = n_members, n = n_nonmembers;
  while (m + n > 0) {
    const bool member = uniform_index(rng, m + n) < m;
    double s = standard_normal(rng) + (member ? shift : 0.0);
    if (levels > 0) s = std::round(s * levels) / levels;
    d.scores.push_back(s);
    d.labels.push_back(member ? 1 : 0);
    (member ? m : n) -= 1;
  }
  return d;
}

}  // namespace speechleak::metrics::testing
