// The one-run epsilon lower bound against the worked values of docs/calibrated-attacks.md (Steinke et al. 2023, at
// p = 0.05), delta > 0 against an enumeration with Python's math.comb, and exposure by hand.
#include "speechleak/metrics/one_run_audit.h"

#include <gtest/gtest.h>

#include <cmath>

#include "speechleak/metrics/proportions.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {
namespace {

TEST(OneRunBound, MatchesThePublishedWorkedValues) {
  struct Case {
    size_t m, r, v;
    double eps;
  };
  for (const auto& c : {Case{1000, 1000, 1000, 5.81}, Case{100, 100, 100, 3.49}, Case{100, 100, 95, 2.17},
                        Case{100, 100, 80, 0.96}, Case{1000, 1000, 750, 0.98}, Case{256, 50, 50, 2.79}})
    EXPECT_NEAR(epsilon_lower_bound({c.m, c.r, c.v}), c.eps, 0.01) << c.m << " " << c.r << " " << c.v;
}

TEST(OneRunBound, AllCorrectWithoutDeltaHasAClosedForm) {
  // P[Bin(r, q) >= r] = q^r = p  =>  q = p^(1/r), eps = log(q / (1 - q)).
  const double q = std::pow(0.05, 1.0 / 100);
  EXPECT_NEAR(epsilon_lower_bound({100, 100, 100}), std::log(q / (1 - q)), 1e-5);
}

TEST(OneRunBound, DeltaWeakensTheBoundAsEnumerated) {
  EXPECT_NEAR(epsilon_lower_bound({1000, 100, 100}, 1e-5), 3.46538, 1e-4);
  EXPECT_NEAR(epsilon_lower_bound({1000, 100, 90}, 1e-5), 1.62614, 1e-4);
  EXPECT_NEAR(one_run_p_value(1.0, {1000, 100, 90}, 1e-5), 0.000841289, 1e-8);
  EXPECT_LT(epsilon_lower_bound({1000, 100, 100}, 1e-5), epsilon_lower_bound({1000, 100, 100}, 0));
}

TEST(OneRunBound, ChanceLevelGuessesGiveNoEvidence) {
  EXPECT_EQ(epsilon_lower_bound({100, 100, 55}), 0.0);  // 55 of 100 at eps = 0 is not rejected at 0.05
  EXPECT_EQ(epsilon_lower_bound({100, 100, 0}), 0.0);
  EXPECT_GT(one_run_p_value(0.0, {100, 100, 55}), 0.05);
}

TEST(OneRunBound, RefusesImpossibleCountsAndLevelsNamingTheOption) {
  auto refused = [](auto f, const std::string& what) {
    try {
      f();
      ADD_FAILURE() << "accepted; expected a refusal naming " << what;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  refused([] { epsilon_lower_bound({10, 0, 0}); }, "--guesses");
  refused([] { epsilon_lower_bound({10, 11, 5}); }, "--guesses");
  refused([] { epsilon_lower_bound({10, 10, 11}); }, "--correct");
  refused([] { epsilon_lower_bound({10, 10, 10}, 0, 1.5); }, "--p");
  refused([] { epsilon_lower_bound({10, 10, 10}, -1e-3); }, "--delta");
}

TEST(Exposure, IsLog2CandidatesMinusLog2Rank) {
  const std::vector<double> refs{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};  // 8 candidates with the canary
  EXPECT_DOUBLE_EQ(exposure(0.9, refs), 3.0);  // rank 1
  EXPECT_DOUBLE_EQ(exposure(0.0, refs), 0.0);  // rank 8
  EXPECT_DOUBLE_EQ(exposure(0.55, refs), 3.0 - std::log2(3.0));  // 0.6 and 0.7 above: rank 3
  EXPECT_DOUBLE_EQ(exposure(0.5, refs), 3.0 - std::log2(4.0));   // a tie counts against the canary
  EXPECT_DOUBLE_EQ(exposure(1.0, {}), 0.0);
}

TEST(OneRunGuesses, TopAndBottomAreGuessedTiesByIndexAndCorrectOnesCounted) {
  //                              0    1    2    3    4    5
  const std::vector<double> s{0.9, 0.1, 0.5, 0.9, 0.2, 0.7};
  const std::vector<bool> in{true, false, true, false, false, true};
  const auto g = one_run_guesses(s, in, 2, 2);
  // In: the two 0.9s (index 0 before 3); out: the two lowest (1, then 4).
  EXPECT_EQ(g.guess, (std::vector<int>{1, -1, 0, 1, -1, 0}));
  EXPECT_EQ(g.counts.canaries, 6u);
  EXPECT_EQ(g.counts.guesses, 4u);
  EXPECT_EQ(g.counts.correct, 3u);  // 0 right, 3 wrong (held out), 1 and 4 right
  EXPECT_EQ(one_run_guesses(s, in, 6, 0).counts.correct, 3u);  // all guessed in: the inserted ones are right
  EXPECT_THROW(one_run_guesses(s, in, 4, 3), InvalidArgument);
  EXPECT_THROW(one_run_guesses(s, in, 0, 0), InvalidArgument);
  EXPECT_THROW(one_run_guesses(s, {true}, 1, 1), InvalidArgument);
}

TEST(BinomialPmf, SumsToOneAndIsExactAtTheEnds) {
  const auto pmf = binomial_pmf(10, 0.3);
  double total = 0;
  for (double p : pmf) total += p;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_NEAR(pmf[3], 120 * std::pow(0.3, 3) * std::pow(0.7, 7), 1e-12);
  EXPECT_EQ(binomial_pmf(4, 0.0)[0], 1.0);
  EXPECT_EQ(binomial_pmf(4, 1.0)[4], 1.0);
}

}  // namespace
}  // namespace speechleak::metrics
