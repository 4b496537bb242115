// Membership-inference scoring and attacker-training benchmark (not a test). Prints JSON.
//  1. Basic utterance score: speechleak's O(m q) closed form vs the O(m^2 q) pairwise similarity matrix of the
//     authors' code (here in libtorch too, so the ratio measures the algorithm, not the language), m = 500 and
//     1500 frames, q = 768.
//  2. Improved utterance attack: training on 1,000 auxiliary utterances of a 768-wide layer (k = 250: 500 train,
//     500 validation utterances), default hyper-parameters (lr 1e-5, batch 32, up to 30 epochs, patience 5).
//
//   mia_bench THREADS [UTTERANCES] [FRAMES]
#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/attack/improved_attacks.h"
#include "speechleak/runtime/threads.h"

namespace {
using namespace speechleak;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The authors' formulation: the full m x m cosine similarity matrix, mean over i<j.
double pairwise_matrix_distance(const at::Tensor& h) {
  auto u = h / h.norm(2, {1}, true);
  auto sim = at::mm(u, u.t());
  const int64_t m = h.size(0);
  auto upper = at::triu(sim, 1);
  return 1.0 - upper.sum().item<double>() / (m * (m - 1) / 2.0);
}

template <typename F>
double best_time(F f, int repeats) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

void bench_scoring(int m) {
  at::manual_seed(0);
  auto h = at::randn({m, 768});
  volatile double sink = 0;
  const double closed = best_time([&] { sink = attack::utterance_cosine_distance(h); }, 20);
  const double pairwise = best_time([&] { sink = pairwise_matrix_distance(h); }, 20);
  const double diff = std::abs(attack::utterance_cosine_distance(h) - pairwise_matrix_distance(h));
  std::printf("  {\"frames\": %d, \"width\": 768, \"closed_form_ms\": %.3f, \"pairwise_matrix_ms\": %.3f, "
              "\"speedup\": %.1f, \"abs_difference\": %.2e},\n", m, closed * 1e3, pairwise * 1e3, pairwise / closed, diff);
}

void bench_training(int n, int frames) {
  at::manual_seed(1);
  std::vector<at::Tensor> aux;
  std::vector<double> scores;
  for (int i = 0; i < n; ++i) {
    aux.push_back(at::randn({frames - (i % 50), 768}).to(at::kHalf));  // stored as fp16, like a feature store
    scores.push_back(attack::utterance_cosine_distance(aux.back().to(at::kFloat)));
  }
  attack::UtteranceAttackConfig config;
  config.k = n / 4;
  auto t0 = std::chrono::steady_clock::now();
  attack::ImprovedUtteranceAttack attacker(config);
  auto log = attacker.fit(aux, scores);
  const double train = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  attacker.score(aux);
  const double score = seconds_since(t0);
  std::printf("  {\"utterances\": %d, \"frames\": %d, \"width\": 768, \"k\": %lld, \"epochs_run\": %zu, "
              "\"train_seconds\": %.1f, \"seconds_per_epoch\": %.2f, \"score_seconds\": %.2f}\n",
              n, frames, static_cast<long long>(config.k), log.epochs.size(), train, train / log.epochs.size(), score);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::stoi(argv[1]) : 2;
  const int n = argc > 2 ? std::stoi(argv[2]) : 1000;
  const int frames = argc > 3 ? std::stoi(argv[3]) : 250;
  runtime::set_torch_threads(threads);
  std::printf("{\"threads\": %d, \"scoring\": [\n", threads);
  bench_scoring(500);
  bench_scoring(1500);
  std::printf("  null],\n\"improved_utterance_training\": [\n");
  bench_training(n, frames);
  std::printf("]}\n");
}
