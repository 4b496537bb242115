// The blind baseline's classifier: chance on exchangeable sides, a confounded split flagged, voices not mistaken
// for conditions (folds grouped by speaker), and too few speakers refused.
#include "speechleak/audit/blind_baseline.h"

#include <gtest/gtest.h>

#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::audit {
namespace {

// `speakers` per side, `utts` each; column 0 = shift * member + noise, column 1 = a per-speaker constant (a voice),
// columns 2-3 = noise.
LabelledDescriptors make(double shift, int speakers = 8, int utts = 6, uint64_t seed = 1) {
  Rng rng(seed);
  LabelledDescriptors d;
  d.names = {"condition", "voice", "noise_a", "noise_b"};
  for (int side : {1, 0})
    for (int s = 0; s < speakers; ++s) {
      const double voice = 3 * standard_normal(rng);
      for (int u = 0; u < utts; ++u) {
        d.x.push_back({shift * side + standard_normal(rng), voice + 0.05 * standard_normal(rng),
                       standard_normal(rng), standard_normal(rng)});
        d.member.push_back(side);
        std::string speaker = side ? "m" : "n";  // appended: GCC 12 warns (falsely) on `"m" + std::to_string(s)`
        speaker += std::to_string(s);
        d.speaker.push_back(speaker);
      }
    }
  return d;
}

TEST(BlindBaseline, ExchangeableSidesStayNearChanceAndAreNotFlagged) {
  // With few speakers, grouped cross-validation on null data is biased BELOW 0.5 (leaving a speaker out moves the
  // training sides' means away from it); the flag only looks above 0.5, so it stays conservative.
  const auto few = run_blind_baseline(make(0.0));
  EXPECT_FALSE(few.confounded);
  EXPECT_LT(few.auc, 0.65);
  const auto b = run_blind_baseline(make(0.0, 30));
  EXPECT_NEAR(b.auc, 0.5, 0.15);
  ASSERT_TRUE(b.interval);
  EXPECT_LT(b.interval->lower, 0.5);
  EXPECT_FALSE(b.confounded);
  EXPECT_EQ(b.n_members, 180u);
  EXPECT_EQ(b.folds, 5);
  EXPECT_TRUE(blind_baseline_warning(b).empty());
  EXPECT_NE(format_blind_baseline(b).find("no sign of a confounded split"), std::string::npos);
}

TEST(BlindBaseline, AConditionThatDiffersBetweenTheSidesIsFlagged) {
  const auto b = run_blind_baseline(make(3.0));
  EXPECT_GT(b.auc, 0.9);
  ASSERT_TRUE(b.interval);
  EXPECT_GT(b.interval->lower, 0.5);
  EXPECT_TRUE(b.confounded);
  EXPECT_NE(blind_baseline_warning(b).find("confounded"), std::string::npos);
  EXPECT_NE(format_blind_baseline(b).find("SPLIT CONFOUNDED"), std::string::npos);
}

TEST(BlindBaseline, IsSeededAndRefusesTooFewSpeakers) {
  const auto a = run_blind_baseline(make(1.0)), b = run_blind_baseline(make(1.0));
  EXPECT_EQ(a.auc, b.auc);
  EXPECT_EQ(a.interval->lower, b.interval->lower);
  EXPECT_THROW(run_blind_baseline(make(1.0, 1)), InvalidArgument);
  auto bad = make(1.0);
  bad.x[3].pop_back();
  EXPECT_THROW(run_blind_baseline(bad), InvalidArgument);
  EXPECT_EQ(run_blind_baseline(make(1.0, 3)).folds, 3) << "no more folds than speakers per side";
}

}  // namespace
}  // namespace speechleak::audit
