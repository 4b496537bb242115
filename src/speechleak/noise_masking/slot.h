#pragma once
// Slot extraction: which recognised words stand where the masked name was.
//
// The reference is the blanked transcript: its words, with the positions of masked names as wildcards (the
// target slot, and other masked mentions of the same name). The hypothesis words are aligned to it by a word-level
// Levenshtein alignment in which a wildcard takes any one hypothesis word at no cost, and every other edit costs 1;
// among alignments with the fewest edits, the one that fills the fewest wildcards wins (so that a deleted name is
// not "filled" with a neighbouring context word), and the backtrace prefers match/substitution, then deletion, then
// insertion. The guess is the hypothesis words aligned to the target slot's positions plus the words inserted
// directly next to them (a name recognised as two words, "I SAAC", is one wrong guess, not a context error).
// Context errors are the edits outside every masked position; they give the context WER and CER the abstention
// filter reads. Words are normalised by corpus/words.h. Torch-free.
#include <cstddef>
#include <string>
#include <vector>

#include "speechleak/asr/error_rates.h"

namespace speechleak::noise_masking {

struct SlotReference {
  std::vector<std::string> words;  // normalised reference words
  // Per word: -1 context, 0 the target slot, 1 another masked mention (ignored: neither guess nor context).
  std::vector<int> role;

  // The transcript's words with [first, first + count) as the target slot and `others` (first, count) masked too.
  static SlotReference make(const std::vector<std::string>& words, size_t first, size_t count,
                            const std::vector<std::pair<size_t, size_t>>& others = {});
  size_t context_words() const;
};

struct SlotAlignment {
  std::vector<std::string> guess;  // empty: the slot was deleted
  asr::EditCounts context_words;  // edits outside masked positions; reference = context words
  asr::EditCounts context_characters;  // character edits between the context words of reference and hypothesis

  std::string guess_text() const;  // words joined by single spaces
};

SlotAlignment align_slot(const SlotReference& reference, const std::vector<std::string>& hypothesis);

}  // namespace speechleak::noise_masking
