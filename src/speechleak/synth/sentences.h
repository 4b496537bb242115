#pragma once
// Sentences for synthetic utterances: a small grammar over a fixed vocabulary (lexicon.h) whose person slots
// (subject, object, after prepositions, vocatives, reported clauses) are filled either by ordinary noun phrases
// ("THE OLD FARMER", "HER") or by person names, recorded with their word positions.
//
// Transcripts follow LibriSpeech: upper-case words separated by single spaces, no punctuation. The text spoken by
// espeak-ng is the same words (lower case, names capitalised) with commas where a phrase boundary calls for a
// pause; commas are prosody only and never become transcript words.
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "speechleak/synth/names.h"
#include "speechleak/util/random.h"

namespace speechleak::synth {

struct Sentence {
  std::vector<std::string> words;   // transcript words, upper case
  std::vector<bool> pause_after;    // one per word: a comma follows it in the spoken text
  std::vector<NameMention> names;   // in word order

  std::string transcript() const;  // words joined by single spaces
  // The text for espeak-ng; `word_offsets` (may be null) receives each word's byte offset in it.
  std::string spoken_text(std::vector<size_t>* word_offsets = nullptr) const;
};

struct SentenceOptions {
  int min_words = 6;
  int max_words = 16;
  double name_fraction = 0.3;  // probability that a sentence mentions at least one person by name
  int max_names = 2;           // mentions per sentence at most
};

class SentenceGenerator {
 public:
  // Options must be valid (SynthConfig::validate checks them): 3 <= min_words <= max_words, max_names >= 1.
  explicit SentenceGenerator(SentenceOptions options);

  // A grammar sentence of min..max words. With probability name_fraction it mentions 1..max_names people
  // drawn from `pool` (no names when the pool is empty).
  Sentence sentence(const NamePool& pool, Rng& rng) const;
  // A grammar sentence that mentions `name` exactly once (canaries).
  Sentence sentence_with_name(const NameMention& name, Rng& rng) const;
  // min..max vocabulary words drawn uniformly (no grammar); `name`, when given, at a random position.
  Sentence random_words(const std::optional<NameMention>& name, Rng& rng) const;

  const SentenceOptions& options() const { return options_; }

 private:
  SentenceOptions options_;
};

// Word pairs that espeak-ng's English dictionary speaks as ONE word (one word event, no boundary between them),
// found by speaking every pair of vocabulary words with every English accent. The generator never puts them next
// to each other without a pause, since no alignment could then separate the two words.
inline const std::vector<std::pair<std::string, std::string>> kJoinedPairs = {
    {"FOR", "THE"}, {"HAD", "TO"}, {"HAD", "THEM"}, {"IN", "THE"}, {"ON", "THE"},
    {"THAT", "THE"}, {"TO", "TO"}, {"WAS", "THE"}, {"WITH", "THE"}};
bool has_joined_pair(const Sentence& s);

// Every single word the grammar and random_words can produce (names excluded), sorted and unique.
std::vector<std::string> vocabulary_words();

}  // namespace speechleak::synth
