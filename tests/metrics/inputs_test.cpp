#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "speechleak/metrics/auc.h"
#include "speechleak/metrics/grouped.h"
#include "speechleak/metrics/inputs.h"
#include "speechleak/metrics/percentile_advantage.h"
#include "speechleak/metrics/roc.h"
#include "speechleak/metrics/summary.h"
#include "speechleak/util/error.h"

namespace speechleak::metrics {
namespace {

using Entry = std::function<void(std::span<const double>, std::span<const int>)>;

// Every public entry point that takes (scores, labels) must refuse bad input the same way.
std::vector<std::pair<std::string, Entry>> entry_points() {
  MetricsConfig quick;
  quick.bootstrap_replicates = 5;
  return {
      {"check", [](auto s, auto l) { check_scores_and_labels(s, l); }},
      {"roc_curve", [](auto s, auto l) { roc_curve(s, l); }},
      {"roc_auc", [](auto s, auto l) { roc_auc(s, l); }},
      {"mann_whitney_auc", [](auto s, auto l) { mann_whitney_auc(s, l); }},
      {"group_scores", [](auto s, auto l) { group_scores(s, l); }},
      {"percentile_advantages", [](auto s, auto l) { percentile_advantages(s, l, decile_percentiles()); }},
      {"mean_threshold_advantage", [](auto s, auto l) { mean_threshold_advantage(s, l); }},
      {"summarize", [quick](auto s, auto l) { summarize(s, l, quick); }},
  };
}

// Runs every entry point on (scores, labels) and expects an InvalidArgument whose message starts with `name:`.
void expect_refused(const std::vector<double>& scores, const std::vector<int>& labels, const std::string& name) {
  for (const auto& [entry, call] : entry_points()) {
    SCOPED_TRACE(entry);
    try {
      call(scores, labels);
      ADD_FAILURE() << "accepted input that should name " << name;
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(std::string(e.what()).rfind(name + ":", 0), 0u) << e.what();
    }
  }
}

TEST(Inputs, LengthMismatchNamesLabels) { expect_refused({0.1, 0.2, 0.3}, {1, 0}, "labels"); }

TEST(Inputs, NoMembersOrNoNonMembersNamesLabels) {
  expect_refused({0.1, 0.2}, {0, 0}, "labels");
  expect_refused({0.1, 0.2}, {1, 1}, "labels");
  expect_refused({}, {}, "labels");
}

TEST(Inputs, NonFiniteScoreNamesItsIndex) {
  expect_refused({0.1, std::nan(""), 0.3}, {1, 0, 0}, "scores[1]");
  expect_refused({0.1, 0.2, std::numeric_limits<double>::infinity()}, {1, 0, 0}, "scores[2]");
}

TEST(Inputs, LabelOutsideZeroOneNamesItsIndex) {
  expect_refused({0.1, 0.2, 0.3}, {1, 0, 2}, "labels[2]");
  expect_refused({0.1, 0.2, 0.3}, {-1, 0, 1}, "labels[0]");
}

TEST(Inputs, MessageSaysWhatWasFound) {
  try {
    check_scores_and_labels(std::vector<double>{0.1, 0.2}, std::vector<int>{1, 2});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()), "labels[1]: expected 0 (non-member) or 1 (member), got 2");
  }
}

TEST(Inputs, CountsBothClasses) {
  const ClassCounts c = check_scores_and_labels(std::vector<double>{1, 2, 3}, std::vector<int>{1, 0, 0});
  EXPECT_EQ(c.members, 1u);
  EXPECT_EQ(c.nonmembers, 2u);
}

}  // namespace
}  // namespace speechleak::metrics
