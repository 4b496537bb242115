#include "speechleak/asr/error_rates.h"

#include <gtest/gtest.h>

namespace speechleak::asr {
namespace {

TEST(ErrorRates, WordErrorsCountEachKindOnHandAlignedCases) {
  // The only 3-edit alignment: S b->q, D d, I g (substituting d e f -> e f g would take 3 more).
  auto e = word_errors("a b c d e f", "a q c e f g");
  EXPECT_EQ(e.reference, 6u);
  EXPECT_EQ(e.substitutions, 1u);
  EXPECT_EQ(e.deletions, 1u);
  EXPECT_EQ(e.insertions, 1u);
  EXPECT_DOUBLE_EQ(e.rate(), 0.5);
  // The normaliser: case, punctuation and hyphens do not count as errors.
  EXPECT_EQ(word_errors("Well-known, isn't it?", "WELL KNOWN ISNT IT").errors(), 0u);
  EXPECT_DOUBLE_EQ(word_errors("a b c", "").rate(), 1.0);
  EXPECT_EQ(word_errors("a b c", "").deletions, 3u);
  EXPECT_EQ(word_errors("", "x y").insertions, 2u);
  EXPECT_DOUBLE_EQ(word_errors("", "").rate(), 0.0);
}

TEST(ErrorRates, CharacterErrorsIncludeTheSpaces) {
  auto e = character_errors("AB CD", "ABCD");  // the space deleted
  EXPECT_EQ(e.reference, 5u);
  EXPECT_EQ(e.deletions, 1u);
  EXPECT_EQ(e.errors(), 1u);
  auto k = character_errors("kitten", "sitting");  // the classic: 2 substitutions, 1 insertion
  EXPECT_EQ(k.substitutions, 2u);
  EXPECT_EQ(k.insertions, 1u);
  EXPECT_EQ(k.deletions, 0u);
}

TEST(ErrorRates, CountsAddUp) {
  EditCounts total;
  total += word_errors("a b", "a c");
  total += word_errors("d e f", "d e f g");
  EXPECT_EQ(total.reference, 5u);
  EXPECT_EQ(total.substitutions, 1u);
  EXPECT_EQ(total.insertions, 1u);
  EXPECT_DOUBLE_EQ(total.rate(), 0.4);
}

}  // namespace
}  // namespace speechleak::asr
