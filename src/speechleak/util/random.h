#pragma once
// Seeding: every random step takes a seed from its config. Sub-seeds are derived by hashing (seed, label) so
// that adding a random step in one place does not shift the streams of others.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

namespace speechleak {

// 64-bit FNV-1a of a byte string, stable across platforms and versions.
uint64_t fnv1a64(std::string_view bytes, uint64_t basis = 0xcbf29ce484222325ULL);

// A seed for the stream named `label` under `seed` (splitmix64 finaliser over seed ^ hash(label)).
uint64_t derive_seed(uint64_t seed, std::string_view label);

using Rng = std::mt19937_64;

// Uniform in [0,1) and standard normal, implemented here rather than with std:: distributions so that streams
// are identical across standard libraries (std::normal_distribution is implementation-defined).
double uniform01(Rng& rng);
double standard_normal(Rng& rng);
// Uniform integer in [0, n).
uint64_t uniform_index(Rng& rng, uint64_t n);

// Fisher-Yates from the back with uniform_index, so that a seed gives the same permutation with every standard
// library (std::shuffle's use of the engine is implementation-defined). Every shuffle in speechleak is this one.
template <typename T>
void seeded_shuffle(std::vector<T>& items, Rng& rng) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniform_index(rng, i)]);
}
template <typename T>
void seeded_shuffle(std::vector<T>& items, uint64_t seed) {
  Rng rng(seed);
  seeded_shuffle(items, rng);
}

// A seeded permutation of [0, n).
std::vector<size_t> seeded_permutation(size_t n, uint64_t seed);

// The order in which a per-group cap draws the members of one group: a permutation of [0, n) seeded by
// derive_seed(seed, "utterances/" + group). The corpus filter `max_utts_per_speaker=N&seed=S` and the audit's
// `--max-utts-per-speaker N --seed S` both keep the first N of a speaker's utterances (sorted by id) in this order,
// so they pick the same utterances (docs/corpus-specs.md).
std::vector<size_t> group_sample_order(std::string_view group, size_t n, uint64_t seed);

// The first k of a seeded partial Fisher-Yates from the front: k distinct indices of [0, n) in draw order (a
// sample without replacement). Needs k <= n.
std::vector<size_t> sample_without_replacement(size_t n, size_t k, Rng& rng);

}  // namespace speechleak
