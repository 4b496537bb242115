// The metrics of a noise-masking run from hand-made outcomes: rates, precision, the filter sweeps, baselines and the
// target-vs-control comparison.
#include "speechleak/noise_masking/summary.h"

#include <gtest/gtest.h>

#include "speechleak/util/error.h"

namespace speechleak::noise_masking {
namespace {

TrialOutcome outcome(const std::string& id, const std::string& name, const std::string& guess, bool any_name,
                     double context_wer, double confidence) {
  TrialOutcome o;
  o.utt_id = id;
  o.name = name;
  o.guess = guess;
  o.any_name = any_name || guess == name;
  o.outcome = guess == name ? Outcome::Exact : any_name ? Outcome::OtherName : guess.empty() ? Outcome::Deleted
                                                                                              : Outcome::Other;
  o.context_wer = context_wer;
  o.confidence = confidence;
  return o;
}

AttackReport targets() {
  AttackReport r;
  r.set = "target";
  r.outcomes = {outcome("a", "ISAAC", "ISAAC", true, 0.0, 0.9), outcome("b", "ISAAC", "ELLEN", true, 0.5, 0.4),
                outcome("c", "ELLEN", "ELLEN", true, 0.2, 0.8), outcome("d", "RHODA", "", false, 0.0, 0.2),
                outcome("e", "ISAAC", "TABLE", false, 1.0, 0.6)};
  return r;
}

TEST(NoiseMaskingSummary, RatesPrecisionAndFilters) {
  NoiseMaskConfig c;
  c.taus = {0.0, 0.2, 1.0};
  c.thetas = {0.0, 0.7};
  const auto s = summarise_set(targets(), 4, c);
  EXPECT_EQ(s.counts.trials, 5u);
  EXPECT_EQ(s.counts.exact, 2u);
  EXPECT_EQ(s.counts.any_name, 3u);
  EXPECT_EQ(s.counts.deleted, 1u);
  EXPECT_EQ(s.counts.other, 1u);
  EXPECT_DOUBLE_EQ(s.counts.precision(), 2.0 / 3);
  ASSERT_EQ(s.by_tau.size(), 3u);
  EXPECT_EQ(s.by_tau[0].kept, 2u);  // a, d
  EXPECT_EQ(s.by_tau[0].exact, 1u);
  EXPECT_EQ(s.by_tau[0].any_name, 1u);
  EXPECT_DOUBLE_EQ(s.by_tau[0].precision(), 1.0) << "the strict filter keeps only the clean exact guess";
  EXPECT_EQ(s.by_tau[1].kept, 3u);  // a, c, d
  EXPECT_EQ(s.by_tau[2].kept, 5u);
  EXPECT_EQ(s.by_theta[1].kept, 2u);  // a, c
  EXPECT_DOUBLE_EQ(s.by_theta[1].precision(), 1.0);
  EXPECT_DOUBLE_EQ(s.chance, 0.25);
  EXPECT_EQ(s.most_frequent_name, "ISAAC");
  EXPECT_DOUBLE_EQ(s.most_frequent_rate, 0.6);
  const auto j = s.to_json();
  EXPECT_DOUBLE_EQ(j["counts"]["exact"]["rate"].get<double>(), 0.4);
  EXPECT_LT(j["counts"]["exact"]["wilson95"][0].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(j["filter_context_wer"][0]["recall"].get<double>(), 0.2);
}

TEST(NoiseMaskingSummary, TargetsAboveControlGiveASmallFisherP) {
  NoiseMaskConfig c;
  AttackReport t, ctl;
  t.set = "target", ctl.set = "control";
  for (int i = 0; i < 10; ++i) {
    std::string tid = "t", cid = "c";  // appended piecewise: GCC 12 warns (falsely, -Wrestrict) on "t" + string
    tid += std::to_string(i), cid += std::to_string(i);
    t.outcomes.push_back(outcome(tid, "ISAAC", i < 8 ? "ISAAC" : "ELLEN", true, 0, 1));
    ctl.outcomes.push_back(outcome(cid, "ISAAC", i < 1 ? "ISAAC" : "ELLEN", true, 0, 1));
  }
  const auto cmp = compare_unpaired(summarise_set(t, 20, c), summarise_set(ctl, 20, c));
  EXPECT_DOUBLE_EQ(cmp.gap, 0.7);
  EXPECT_LT(cmp.p_value, 0.01);
  EXPECT_EQ(cmp.test, "fisher");
  const auto reverse = compare_unpaired(summarise_set(ctl, 20, c), summarise_set(t, 20, c));
  EXPECT_GT(reverse.p_value, 0.99) << "one-sided: a control above the targets is no evidence of memorisation";
}

TEST(NoiseMaskingSummary, PairedComparisonNeedsTheSameTrials) {
  auto t = targets(), p = targets();
  p.set = "paired";
  p.outcomes[0].outcome = Outcome::OtherName;  // a: only the target model exact
  const auto cmp = compare_paired(t, p);
  EXPECT_EQ(cmp.only_first, 1u);
  EXPECT_EQ(cmp.only_second, 0u);
  EXPECT_DOUBLE_EQ(cmp.p_value, 0.5);
  p.outcomes.pop_back();
  EXPECT_THROW(compare_paired(t, p), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::noise_masking
