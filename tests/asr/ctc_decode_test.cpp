#include "speechleak/asr/ctc_decode.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "speechleak/util/error.h"

namespace speechleak::asr {
namespace {

// [T, V] log-probabilities from rows of probabilities.
at::Tensor log_probs(const std::vector<std::vector<double>>& rows) {
  auto t = at::empty({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())}, at::kDouble);
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i].size(); ++j) t[i][j] = std::log(rows[i][j]);
  return t;
}

// P(labels) summed over every frame path that collapses to them, by enumeration.
double brute_force_probability(const at::Tensor& lp, int64_t blank, const std::vector<int64_t>& labels) {
  const int64_t t_max = lp.size(0), v = lp.size(1);
  double total = 0;
  std::vector<int64_t> path(t_max, 0);
  std::function<void(int64_t, double)> walk = [&](int64_t t, double logp) {
    if (t == t_max) {
      if (collapse_path(path, blank) == labels) total += std::exp(logp);
      return;
    }
    for (int64_t c = 0; c < v; ++c) path[t] = c, walk(t + 1, logp + lp[t][c].item<double>());
  };
  walk(0, 0.0);
  return total;
}

TEST(CtcDecode, CollapseMergesRepeatsThenDropsBlanks) {
  EXPECT_EQ(collapse_path({1, 1, 0, 1, 2, 2}, 0), (std::vector<int64_t>{1, 1, 2}));
  EXPECT_EQ(collapse_path({0, 0, 0}, 0), (std::vector<int64_t>{}));
  EXPECT_EQ(collapse_path({3, 0, 3, 3, 0, 0, 4}, 0), (std::vector<int64_t>{3, 3, 4}));
  EXPECT_EQ(collapse_path({2, 2, 2}, 0), (std::vector<int64_t>{2}));
}

TEST(CtcDecode, GreedyTakesTheBestFrameLabels) {
  // blank 0, "A" 1, "|" 2: frames A A _ A | | A -> A A | A
  auto lp = log_probs({{0.1, 0.8, 0.1}, {0.2, 0.7, 0.1}, {0.9, 0.05, 0.05}, {0.1, 0.8, 0.1},
                       {0.1, 0.1, 0.8}, {0.2, 0.1, 0.7}, {0.3, 0.6, 0.1}});
  EXPECT_EQ(greedy_decode(lp, 0), (std::vector<int64_t>{1, 1, 2, 1}));
  EXPECT_THROW(greedy_decode(lp, 3), InvalidArgument);
  EXPECT_THROW(greedy_decode(at::zeros({3}), 0), InvalidArgument);
}

TEST(CtcDecode, BeamSearchSumsAlignmentsWhereGreedyCannot) {
  // Two frames of P(blank) = 0.6, P(A) = 0.4: the best path is "" (0.36), but "A" has 0.24 + 0.24 + 0.16 = 0.64.
  auto lp = log_probs({{0.6, 0.4}, {0.6, 0.4}});
  EXPECT_TRUE(greedy_decode(lp, 0).empty());
  double logp = 0;
  EXPECT_EQ(prefix_beam_search(lp, 0, 4, &logp), (std::vector<int64_t>{1}));
  EXPECT_NEAR(std::exp(logp), 0.64, 1e-12);
}

TEST(CtcDecode, BeamProbabilitiesEqualTheSumOverAlignments) {
  at::manual_seed(3);
  auto lp = at::log_softmax(at::randn({5, 3}, at::kDouble) * 2, 1);
  double logp = 0;
  const auto best = prefix_beam_search(lp, 0, 64, &logp);  // a beam wide enough to be exact here
  EXPECT_NEAR(std::exp(logp), brute_force_probability(lp, 0, best), 1e-10);
  // No labelling is more probable than the one found.
  for (const std::vector<int64_t>& other : {std::vector<int64_t>{}, {1}, {2}, {1, 2}, {2, 1}, {1, 1}, {2, 2}})
    EXPECT_LE(brute_force_probability(lp, 0, other), std::exp(logp) + 1e-12);
  EXPECT_THROW(prefix_beam_search(lp, 0, 0), InvalidArgument);
}

// libtorch's CTC loss (what the CTC objective trains with) is -log of the same sum over alignments.
TEST(CtcDecode, TorchCtcLossIsMinusLogTheSumOverAlignments) {
  at::manual_seed(5);
  auto lp = at::log_softmax(at::randn({5, 3}, at::kDouble), 1);
  const std::vector<int64_t> labels{1, 1};  // a repeat needs a blank between: 3 of 5 frames at least
  auto loss = at::ctc_loss(lp.unsqueeze(1), at::tensor(labels).unsqueeze(0), {5}, {2}, 0, at::Reduction::Sum);
  EXPECT_NEAR(std::exp(-loss.item<double>()), brute_force_probability(lp, 0, labels), 1e-10);
}

}  // namespace
}  // namespace speechleak::asr
