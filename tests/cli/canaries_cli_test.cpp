// `speechleak canaries bound`: the worked value of docs/calibrated-attacks.md, no-evidence counts, refusals.
#include <gtest/gtest.h>

#include "cli/cli_test_util.h"

namespace speechleak {
namespace {
using testing::expect_refused;
using testing::run_ok;

TEST(CanariesBoundCli, PrintsTheBoundAndRefusesImpossibleCounts) {
  const auto out = run_ok("canaries bound --canaries 100 --guesses 100 --correct 95");
  EXPECT_NE(out.find("epsilon lower bound 2.17"), std::string::npos) << out;
  const auto none = run_ok("canaries bound --canaries 100 --guesses 100 --correct 55");
  EXPECT_NE(none.find("epsilon lower bound 0.000"), std::string::npos) << none;
  EXPECT_NE(none.find("no evidence of leakage"), std::string::npos) << none;
  const auto weaker = run_ok("canaries bound --canaries 1000 --guesses 100 --correct 90 --delta 1e-5");
  EXPECT_NE(weaker.find("epsilon lower bound 1.626"), std::string::npos) << weaker;
  expect_refused("canaries bound --canaries 10 --guesses 20 --correct 5", "--guesses");
  expect_refused("canaries bound --canaries 10 --guesses 10 --correct 11", "--correct");
  expect_refused("canaries bound --canaries 10 --guesses 10 --correct 5 --p 0", "--p");
}

}  // namespace
}  // namespace speechleak
