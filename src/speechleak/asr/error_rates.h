#pragma once
// Word and character error rates: Levenshtein alignment of a hypothesis against a reference, both normalised by
// the one word normaliser (corpus/words.h), with the substitutions, deletions and insertions counted.
// Torch-free.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace speechleak::asr {

struct EditCounts {
  size_t substitutions = 0, deletions = 0, insertions = 0;
  size_t reference = 0;  // reference tokens (words or characters)
  size_t errors() const { return substitutions + deletions + insertions; }
  // errors / reference tokens; 0 for an empty reference and hypothesis, errors (as a rate over 1) when only the
  // reference is empty.
  double rate() const;
  EditCounts& operator+=(const EditCounts& o);
};

// A minimum-edit alignment; among equally short ones, the backtrace prefers a match or substitution, then a
// deletion, then an insertion, so the counts are deterministic.
EditCounts edit_counts(const std::vector<std::string>& reference, const std::vector<std::string>& hypothesis);

// Over normalised words.
EditCounts word_errors(std::string_view reference, std::string_view hypothesis);
// Over the characters of the normalised text, the single spaces between words included (as jiwer's cer).
EditCounts character_errors(std::string_view reference, std::string_view hypothesis);

// Word and character errors summed over utterances, overall and per speaker (a corpus-level WER is the sum of
// errors over the sum of reference words, not a mean of utterance rates).
struct ErrorTally {
  struct Counts {
    EditCounts words, characters;
    size_t utterances = 0;
  };
  Counts overall;
  std::map<std::string, Counts> by_speaker;

  void add(const std::string& speaker, std::string_view reference, std::string_view hypothesis);
};

}  // namespace speechleak::asr
