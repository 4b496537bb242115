#include "speechleak/util/random.h"

#include <cmath>
#include <string>

namespace speechleak {

uint64_t fnv1a64(std::string_view bytes, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t derive_seed(uint64_t seed, std::string_view label) {
  uint64_t z = seed ^ fnv1a64(label);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double standard_normal(Rng& rng) {
  // Box-Muller; u1 in (0,1] so log() is finite.
  double u1 = 1.0 - uniform01(rng);
  double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

uint64_t uniform_index(Rng& rng, uint64_t n) {
  // Rejection sampling avoids modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = rng(); while (x >= limit);
  return x % n;
}

std::vector<size_t> seeded_permutation(size_t n, uint64_t seed) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  seeded_shuffle(order, seed);
  return order;
}

std::vector<size_t> group_sample_order(std::string_view group, size_t n, uint64_t seed) {
  std::string label = "utterances/";
  label += group;
  return seeded_permutation(n, derive_seed(seed, label));
}

std::vector<size_t> sample_without_replacement(size_t n, size_t k, Rng& rng) {
  std::vector<size_t> pool(n);
  for (size_t i = 0; i < n; ++i) pool[i] = i;
  for (size_t i = 0; i < k && i < n; ++i) std::swap(pool[i], pool[i + uniform_index(rng, n - i)]);
  pool.resize(k < n ? k : n);
  return pool;
}

}  // namespace speechleak
