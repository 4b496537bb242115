#pragma once
// Seeding: every random step takes a seed from its config. Sub-seeds are derived by hashing (seed, label) so
// that adding a random step in one place does not shift the streams of others.
#include <cstdint>
#include <random>
#include <string_view>

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

}  // namespace speechleak
