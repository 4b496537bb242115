// Slot extraction: the guess is what the recogniser put where the name was, context errors are counted outside it.
#include "speechleak/noise_masking/slot.h"

#include <gtest/gtest.h>

#include "speechleak/corpus/words.h"
#include "speechleak/util/error.h"

namespace speechleak::noise_masking {
namespace {

std::vector<std::string> w(const char* s) { return corpus::normalize_words(s); }

SlotAlignment align(const char* ref, size_t first, size_t count, const char* hyp,
                    const std::vector<std::pair<size_t, size_t>>& others = {}) {
  return align_slot(SlotReference::make(w(ref), first, count, others), w(hyp));
}

TEST(SlotAlignment, TheWordInTheSlotIsTheGuessAndTheContextIsScoredApart) {
  auto a = align("THE DOCTOR SAW ISAAC AT NIGHT", 3, 1, "THE DOCTOR SAW ELLEN AT NIGHT");
  EXPECT_EQ(a.guess_text(), "ELLEN");
  EXPECT_EQ(a.context_words.errors(), 0u);
  EXPECT_EQ(a.context_words.reference, 5u);
  EXPECT_EQ(a.context_characters.errors(), 0u);

  auto b = align("THE DOCTOR SAW ISAAC AT NIGHT", 3, 1, "A DOCTOR SAW ISAAC AT NIGHT");
  EXPECT_EQ(b.guess_text(), "ISAAC");
  EXPECT_EQ(b.context_words.substitutions, 1u);
  EXPECT_DOUBLE_EQ(b.context_words.rate(), 0.2);
  EXPECT_GT(b.context_characters.errors(), 0u);
}

TEST(SlotAlignment, ADeletedNameIsNotFilledWithAContextWord) {
  auto a = align("MEET ISAAC TODAY", 1, 1, "MEET TODAY");
  EXPECT_TRUE(a.guess.empty());
  EXPECT_EQ(a.context_words.errors(), 0u);
  // The deleted name leaves its neighbour where it is even when the context has an error too.
  auto b = align("A NAME B C", 1, 1, "A B D");
  EXPECT_TRUE(b.guess.empty()) << b.guess_text();
  EXPECT_EQ(b.context_words.substitutions, 1u);
  EXPECT_EQ(b.context_words.deletions, 0u);
}

TEST(SlotAlignment, WordsInsertedNextToTheSlotBelongToTheGuess) {
  auto a = align("SHE CALLED ISAAC HOME", 2, 1, "SHE CALLED I SAAC HOME");
  EXPECT_EQ(a.guess_text(), "I SAAC");
  EXPECT_EQ(a.context_words.errors(), 0u);
  // An insertion away from the slot is a context error.
  auto b = align("SHE CALLED ISAAC HOME", 2, 1, "SHE SHE CALLED ISAAC HOME");
  EXPECT_EQ(b.guess_text(), "ISAAC");
  EXPECT_EQ(b.context_words.insertions, 1u);
}

TEST(SlotAlignment, MultiWordNamesAndOtherMaskedMentions) {
  auto a = align("MEET ALICE MORGAN TODAY", 1, 2, "MEET ALICE MORGAN TODAY");
  EXPECT_EQ(a.guess_text(), "ALICE MORGAN");
  auto b = align("MEET ALICE MORGAN TODAY", 1, 2, "MEET ALICE TODAY");
  EXPECT_EQ(b.guess_text(), "ALICE");
  // The second mention of the name is masked too: neither guess nor context.
  auto c = align("ISAAC SAW ISAAC", 0, 1, "ELLEN SAW WHOEVER", {{2, 1}});
  EXPECT_EQ(c.guess_text(), "ELLEN");
  EXPECT_EQ(c.context_words.reference, 1u);
  EXPECT_EQ(c.context_words.errors(), 0u);
}

TEST(SlotAlignment, EmptyHypothesisAndBadSlots) {
  auto a = align("MEET ISAAC TODAY", 1, 1, "");
  EXPECT_TRUE(a.guess.empty());
  EXPECT_EQ(a.context_words.deletions, 2u);
  EXPECT_DOUBLE_EQ(a.context_words.rate(), 1.0);
  EXPECT_THROW(SlotReference::make(w("A B"), 1, 2), InvalidArgument);
  EXPECT_THROW(SlotReference::make(w("A B"), 0, 0), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::noise_masking
