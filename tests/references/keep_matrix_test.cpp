#include <gtest/gtest.h>

#include "speechleak/references/keep_matrix.h"
#include "speechleak/util/error.h"

namespace speechleak::references {
namespace {

std::vector<std::string> units(int n) {
  std::vector<std::string> u;
  for (int i = 0; i < n; ++i) u.push_back("spk" + std::to_string(100 + i));
  return u;
}

TEST(KeepMatrix, EveryUnitIsInForExactlyHalfTheRuns) {
  const auto k = balanced_keep(units(30), Unit::Speaker, 8, 3);
  ASSERT_EQ(k.runs(), 8u);
  for (size_t c = 0; c < k.units.size(); ++c) {
    int in = 0;
    for (size_t r = 0; r < k.runs(); ++r) in += k.keep[r][c];
    EXPECT_EQ(in, 4) << k.units[c];
  }
  // Runs differ from each other (the draw is per unit, not one split copied).
  EXPECT_NE(k.keep[0], k.keep[1]);
  EXPECT_FALSE(k.offline());
}

TEST(KeepMatrix, AUnitsColumnDependsOnItsIdAndTheSeedOnly) {
  const auto a = balanced_keep(units(10), Unit::Utterance, 6, 9);
  auto fewer = units(10);
  fewer.erase(fewer.begin() + 3);
  const auto b = balanced_keep(fewer, Unit::Utterance, 6, 9);
  for (const auto& u : fewer)
    for (size_t r = 0; r < 6; ++r) EXPECT_EQ(a.in(r, u), b.in(r, u)) << u;
  const auto c = balanced_keep(units(10), Unit::Utterance, 6, 10);
  EXPECT_NE(a.keep, c.keep);
}

TEST(KeepMatrix, OfflineSetsTrainOnNoCandidateAndJsonRoundTrips) {
  const auto off = offline_keep(units(4), Unit::Speaker, 3);
  EXPECT_TRUE(off.offline());
  EXPECT_FALSE(off.in(0, "spk100"));
  const auto k = balanced_keep(units(5), Unit::Speaker, 4, 1);
  const auto back = KeepMatrix::from_json(k.to_json(), "test");
  EXPECT_EQ(back.keep, k.keep);
  EXPECT_EQ(back.units, k.units);
  EXPECT_EQ(back.in_units(2), k.in_units(2));
  EXPECT_FALSE(k.in(0, "not-a-candidate"));
}

TEST(KeepMatrix, BadInputIsRefused) {
  EXPECT_THROW(balanced_keep(units(3), Unit::Speaker, 1, 0), InvalidArgument);  // online needs >= 2 runs
  EXPECT_THROW(balanced_keep({}, Unit::Speaker, 4, 0), InvalidArgument);
  EXPECT_THROW(parse_unit("chapter"), InvalidArgument);
  auto j = balanced_keep(units(3), Unit::Speaker, 2, 0).to_json();
  j["keep"][1].erase(0);
  EXPECT_THROW(KeepMatrix::from_json(j, "refs/references.json"), FormatError);
}

}  // namespace
}  // namespace speechleak::references
