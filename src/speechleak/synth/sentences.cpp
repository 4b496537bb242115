#include "speechleak/synth/sentences.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "speechleak/synth/lexicon.h"
#include "speechleak/util/text.h"

namespace speechleak::synth {
namespace {

using List = std::vector<std::string>;

// Accumulates words, pause marks and name mentions.
class Builder {
 public:
  void phrase(const std::string& p) {
    for (auto& w : text::split_ws(p)) {
      s_.words.push_back(w);
      s_.pause_after.push_back(false);
    }
  }
  void name(NameMention m) {
    m.word_index = size();
    if (!m.first.empty()) phrase(m.first);
    if (!m.surname.empty()) phrase(m.surname);
    m.num_words = size() - m.word_index;
    s_.names.push_back(std::move(m));
  }
  // A pause after the last word; on an empty builder (a phrase about to be appended), a pause before it.
  void pause() {
    if (!s_.pause_after.empty()) s_.pause_after.back() = true;
    else pause_before_ = true;
  }
  bool pause_before() const { return pause_before_; }
  void append(const Builder& other) {
    for (NameMention m : other.s_.names) {
      m.word_index += size();
      s_.names.push_back(std::move(m));
    }
    s_.words.insert(s_.words.end(), other.s_.words.begin(), other.s_.words.end());
    s_.pause_after.insert(s_.pause_after.end(), other.s_.pause_after.begin(), other.s_.pause_after.end());
  }
  int size() const { return static_cast<int>(s_.words.size()); }
  const Sentence& sentence() const { return s_; }

 private:
  Sentence s_;
  bool pause_before_ = false;
};

// Where person names come from while one sentence is built.
struct NameSource {
  const NamePool* pool = nullptr;
  std::optional<NameMention> forced;  // a canary's name: used for the first name slot taken
  int left = 0;                       // mentions still wanted
  std::set<std::string> used;         // no person twice in one sentence
};

class Grammar {
 public:
  Grammar(Rng& rng, NameSource& names) : rng_(rng), names_(names) {}

  bool chance(double p) { return uniform01(rng_) < p; }
  const std::string& any(const List& l) { return pick(l, rng_); }

  // A person: a name while mentions are wanted (60% of slots, so that names move between positions), otherwise
  // a pronoun or a noun phrase.
  void person(Builder& b, bool subject) {
    if (names_.left > 0 && chance(0.6)) return name(b);
    const Lexicon& lex = lexicon();
    if (chance(0.35)) return b.phrase(any(subject ? lex.subject_pronouns : lex.object_pronouns));
    b.phrase(any(lex.person_determiners));
    if (chance(0.3)) b.phrase(any(lex.adjectives));
    b.phrase(any(lex.person_nouns));
  }

  void thing(Builder& b) {
    const Lexicon& lex = lexicon();
    b.phrase(any(lex.thing_determiners));
    if (chance(0.4)) b.phrase(any(lex.adjectives));
    b.phrase(any(lex.thing_nouns));
  }

  void core(Builder& b) {
    const Lexicon& lex = lexicon();
    switch (uniform_index(rng_, 10)) {
      case 0: person(b, true), b.phrase(any(lex.thing_verbs)), thing(b); break;
      case 1: person(b, true), b.phrase(any(lex.intransitive_verbs)); break;
      case 2: person(b, true), b.phrase(any(lex.giving_verbs)), thing(b), b.phrase("TO"), person(b, false); break;
      case 3: person(b, true), b.phrase(any(lex.person_verbs)), person(b, false); break;
      case 4: vocative(b), b.phrase("PLEASE " + any(lex.imperatives)), thing(b); break;
      case 5: reported(b); break;
      case 6: when_clause(b); break;
      case 7: b.phrase("DID"), person(b, true), b.phrase(any(lex.base_verbs)), person(b, false); break;
      case 8: b.phrase("THIS IS THE " + any(lex.thing_nouns) + " THAT"), person(b, true),
              b.phrase(any(lex.thing_verbs)); break;
      default: person(b, true), b.phrase("AND"), person(b, true), b.phrase(any(lex.intransitive_verbs)); break;
    }
  }

  // One modifier phrase: a person after a preposition while names are wanted, otherwise a place, a time, an
  // adverb or a second clause.
  void modifier(Builder& b) {
    const Lexicon& lex = lexicon();
    if (names_.left > 0 && chance(0.7)) return b.phrase(any(lex.person_prepositions)), name(b);
    switch (uniform_index(rng_, 6)) {
      case 0:
      case 1:
        b.phrase(any(lex.place_prepositions) + " " + any(lex.thing_determiners));
        if (chance(0.3)) b.phrase(any(lex.adjectives));
        return b.phrase(any(lex.place_nouns));
      case 2: return b.phrase(any(lex.time_phrases));
      case 3: return b.phrase(any(lex.person_prepositions)), person(b, false);
      case 4: return b.pause(), b.phrase("AND THEN"), person(b, true), b.phrase(any(lex.intransitive_verbs));
      default: return b.phrase(any(lex.adverbs));
    }
  }

  void adverb(Builder& b) { b.phrase(any(lexicon().adverbs)); }

  // "YESTERDAY, ..." / "AFTER DINNER, ...": a sentence-initial phrase and its pause.
  void fronted_time(Builder& b) {
    b.phrase(any(lexicon().time_phrases));
    b.pause();
  }

  void name(Builder& b) {
    --names_.left;
    if (names_.forced) {
      b.name(*names_.forced);
      names_.forced.reset();
      return;
    }
    const NamePool& pool = *names_.pool;
    NameMention m;
    const double form = uniform01(rng_);
    const bool first = !pool.first_names.empty() && (pool.surnames.empty() || form < 0.8);
    const bool surname = !pool.surnames.empty() && (pool.first_names.empty() || form >= 0.45);
    if (first) m.first = fresh(pool.first_names);
    if (surname) m.surname = fresh(pool.surnames);
    if (!first) b.phrase(any(lexicon().titles));  // "DOCTOR HARDING": the title is not part of the name
    b.name(std::move(m));
  }

 private:
  void vocative(Builder& b) {
    if (names_.left > 0) name(b);
    else b.phrase(any(lexicon().person_determiners) + " " + any(lexicon().person_nouns));
    b.pause();
  }

  void reported(Builder& b) {
    person(b, true);
    b.phrase(any(lexicon().reporting_verbs) + " THAT");
    person(b, true);
    b.phrase(any(lexicon().thing_verbs));
    thing(b);
  }

  void when_clause(Builder& b) {
    b.phrase("WHEN");
    person(b, true);
    b.phrase(any(lexicon().intransitive_verbs));
    b.pause();
    person(b, true);
    b.phrase(any(lexicon().person_verbs));
    person(b, false);
  }

  // A name not yet used in this sentence (a few tries; small pools may repeat).
  std::string fresh(const List& list) {
    std::string n = any(list);
    for (int i = 0; i < 8 && names_.used.count(n); ++i) n = any(list);
    names_.used.insert(n);
    return n;
  }

  Rng& rng_;
  NameSource& names_;
};

int uniform_int(Rng& rng, int lo, int hi) { return lo + static_cast<int>(uniform_index(rng, hi - lo + 1)); }

bool joined_pair(const std::string& a, const std::string& b) {
  static const std::set<std::pair<std::string, std::string>> pairs(kJoinedPairs.begin(), kJoinedPairs.end());
  return pairs.count({a, b}) > 0;
}

// Adds modifiers until `target` words; a modifier that would pass max_words is discarded with the names it took.
void extend(Builder& b, Grammar& g, NameSource& names, int target, int max_words) {
  for (int guard = 0; b.size() < target && guard < 64; ++guard) {
    const NameSource saved = names;
    Builder m;
    g.modifier(m);
    if (b.size() + m.size() <= max_words) {
      // Now and then a phrase boundary gets a pause, as readers make them: real pauses between words.
      if (g.chance(0.35) || m.pause_before()) b.pause();
      b.append(m);
      continue;
    }
    names = saved;
    if (b.size() < max_words) {
      Builder a;
      g.adverb(a);
      b.append(a);
    }
  }
}

Sentence build(const SentenceOptions& o, NameSource source, Rng& rng) {
  const int wanted = source.left;
  for (int attempt = 0; attempt < 200; ++attempt) {
    NameSource names = source;
    Grammar g(rng, names);
    Builder b;
    const int target = uniform_int(rng, o.min_words, o.max_words);
    if (g.chance(0.15)) g.fronted_time(b);
    g.core(b);
    if (b.size() > o.max_words) continue;
    extend(b, g, names, target, o.max_words);
    const auto& s = b.sentence();
    if (static_cast<int>(s.names.size()) < std::min(wanted, 1) || b.size() < o.min_words) continue;
    if (has_joined_pair(s)) continue;
    return s;
  }
  // Always fits (min_words >= 3): "<person> <verb>" padded with adverbs.
  NameSource names = source;
  Grammar g(rng, names);
  Builder b;
  if (wanted > 0) g.name(b);
  else g.person(b, true);
  b.phrase(pick(lexicon().intransitive_verbs, rng));
  while (b.size() < o.min_words) g.adverb(b);
  return b.sentence();
}

std::string spoken_word(const std::string& w, bool is_name) {
  if (w == "I") return w;
  std::string s = text::to_lower(w);
  if (is_name) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

bool has_joined_pair(const Sentence& s) {
  for (size_t i = 0; i + 1 < s.words.size(); ++i)
    if (!s.pause_after[i] && joined_pair(s.words[i], s.words[i + 1])) return true;
  return false;
}

std::string Sentence::transcript() const { return text::join(words, " "); }

std::string Sentence::spoken_text(std::vector<size_t>* word_offsets) const {
  std::vector<bool> is_name(words.size(), false);
  for (const auto& m : names)
    for (int k = 0; k < m.num_words; ++k) is_name[m.word_index + k] = true;
  std::string out;
  if (word_offsets) word_offsets->clear();
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ' ';
    if (word_offsets) word_offsets->push_back(out.size());
    out += spoken_word(words[i], is_name[i]);
    if (pause_after[i] && i + 1 < words.size()) out += ',';
  }
  return out;
}

SentenceGenerator::SentenceGenerator(SentenceOptions options) : options_(options) {}

Sentence SentenceGenerator::sentence(const NamePool& pool, Rng& rng) const {
  NameSource source;
  source.pool = &pool;
  if (!pool.empty() && uniform01(rng) < options_.name_fraction) {
    source.left = 1;
    while (source.left < options_.max_names && uniform01(rng) < 0.3) ++source.left;
  }
  return build(options_, source, rng);
}

Sentence SentenceGenerator::sentence_with_name(const NameMention& name, Rng& rng) const {
  static const NamePool kNoPool;
  NameSource source;
  source.pool = &kNoPool;
  source.forced = name;
  source.left = 1;
  return build(options_, source, rng);
}

Sentence SentenceGenerator::random_words(const std::optional<NameMention>& name, Rng& rng) const {
  static const std::vector<std::string> vocab = vocabulary_words();
  const int n = uniform_int(rng, options_.min_words, options_.max_words);
  const int name_words = name ? name->num_words : 0;
  const int at = name ? static_cast<int>(uniform_index(rng, n - name_words + 1)) : -1;
  Builder b;
  while (b.size() < n) {
    if (b.size() == at) {
      b.name(*name);
      continue;
    }
    const std::string& prev = b.size() > 0 ? b.sentence().words.back() : std::string();
    std::string w = pick(vocab, rng);
    while (joined_pair(prev, w)) w = pick(vocab, rng);
    b.phrase(w);
  }
  return b.sentence();
}

std::vector<std::string> vocabulary_words() {
  const Lexicon& lex = lexicon();
  std::set<std::string> words;
  for (const List* l : {&lex.subject_pronouns, &lex.object_pronouns, &lex.person_determiners, &lex.thing_determiners,
                        &lex.person_nouns, &lex.titles, &lex.adjectives, &lex.thing_nouns, &lex.place_nouns,
                        &lex.place_prepositions, &lex.person_prepositions, &lex.time_phrases, &lex.adverbs,
                        &lex.thing_verbs, &lex.person_verbs, &lex.intransitive_verbs, &lex.giving_verbs,
                        &lex.imperatives, &lex.reporting_verbs, &lex.base_verbs, &lex.function_words})
    for (const auto& entry : *l)
      for (auto& w : text::split_ws(entry)) words.insert(w);
  return {words.begin(), words.end()};
}

}  // namespace speechleak::synth
