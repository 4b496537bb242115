#pragma once
// Person names that synthetic sentences mention, and the pools they are drawn from.
#include <set>
#include <string>
#include <vector>

#include "speechleak/util/random.h"

namespace speechleak::synth {

// Built-in lists (names_data.cpp): upper case, plain letters.
const std::vector<std::string>& female_first_names();
const std::vector<std::string>& male_first_names();
const std::vector<std::string>& surnames();

// The names one split may use. The finetune split, by default, draws from a pool without the names the pretrain
// split used, so that a model's knowledge of a name can only come from pretraining.
struct NamePool {
  std::vector<std::string> first_names;  // sorted, unique
  std::vector<std::string> surnames;     // sorted, unique

  static NamePool builtin();
  // This pool without `used` (first names and surnames alike).
  NamePool without(const std::set<std::string>& used) const;
  bool empty() const { return first_names.empty() && surnames.empty(); }
};

// One mention of a person in a sentence: a first name, a surname, or both (consecutive words).
struct NameMention {
  std::string first;    // "" when only the surname is spoken ("DOCTOR HARDING")
  std::string surname;  // "" when only the first name is spoken
  int word_index = 0;   // index of the mention's first word in the sentence
  int num_words = 1;

  // "OLIVER BENNETT", "OLIVER" or "HARDING": the words as spoken.
  std::string text() const;
  bool operator==(const NameMention&) const = default;
};

// Splits "OLIVER BENNETT" / "Oliver" into first name and surname (one word = first name); upper-cases and checks
// that it is one or two words of letters. Throws InvalidArgument naming `what`.
NameMention parse_name(const std::string& name, const std::string& what);

// Picks uniformly; the pool list must not be empty.
const std::string& pick(const std::vector<std::string>& list, Rng& rng);

}  // namespace speechleak::synth
