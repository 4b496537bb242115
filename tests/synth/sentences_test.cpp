#include "speechleak/synth/sentences.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "speechleak/synth/espeak_engine.h"
#include "speechleak/synth/names.h"
#include "speechleak/synth/word_timing.h"
#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::synth {
namespace {

bool letters_only(const std::string& w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isupper(c) != 0; });
}

void expect_consistent(const Sentence& s, const SentenceOptions& o) {
  ASSERT_GE(static_cast<int>(s.words.size()), o.min_words) << s.transcript();
  ASSERT_LE(static_cast<int>(s.words.size()), o.max_words) << s.transcript();
  ASSERT_EQ(s.pause_after.size(), s.words.size());
  for (const auto& w : s.words) EXPECT_TRUE(letters_only(w)) << w << " in " << s.transcript();
  for (const auto& m : s.names) {
    ASSERT_GE(m.word_index, 0);
    ASSERT_LE(m.word_index + m.num_words, static_cast<int>(s.words.size()));
    std::vector<std::string> spoken(s.words.begin() + m.word_index, s.words.begin() + m.word_index + m.num_words);
    EXPECT_EQ(text::join(spoken, " "), m.text()) << s.transcript();
  }
}

TEST(Sentences, VocabularyAndNameListsAreDisjointPlainWords) {
  const auto vocab = vocabulary_words();
  EXPECT_GE(vocab.size(), 300u);
  const std::set<std::string> v(vocab.begin(), vocab.end());
  const NamePool pool = NamePool::builtin();
  EXPECT_GE(pool.first_names.size(), 200u);
  EXPECT_GE(pool.surnames.size(), 200u);
  for (const auto* list : {&pool.first_names, &pool.surnames, &vocab})
    for (const auto& w : *list) EXPECT_TRUE(letters_only(w)) << w;
  for (const auto* list : {&pool.first_names, &pool.surnames})
    for (const auto& n : *list) EXPECT_FALSE(v.count(n)) << n << " is both a name and a vocabulary word";
}

TEST(Sentences, LengthsWordsAndMentionsAreConsistent) {
  SentenceOptions o{4, 9, 0.5, 3};
  SentenceGenerator gen(o);
  const NamePool pool = NamePool::builtin();
  Rng rng(11);
  std::set<int> positions;
  int max_mentions = 0;
  for (int i = 0; i < 500; ++i) {
    const Sentence s = gen.sentence(pool, rng);
    expect_consistent(s, o);
    for (const auto& m : s.names) positions.insert(m.word_index);
    max_mentions = std::max(max_mentions, static_cast<int>(s.names.size()));
  }
  EXPECT_GE(positions.size(), 5u);  // subjects, objects, after prepositions, vocatives ...
  EXPECT_GE(max_mentions, 2);
  EXPECT_LE(max_mentions, 3);
}

TEST(Sentences, NameFractionIsRespected) {
  const NamePool pool = NamePool::builtin();
  for (double f : {0.0, 0.3, 1.0}) {
    SentenceGenerator gen({6, 14, f, 2});
    Rng rng(5);
    int with = 0;
    const int n = 600;
    for (int i = 0; i < n; ++i) with += !gen.sentence(pool, rng).names.empty();
    EXPECT_NEAR(static_cast<double>(with) / n, f, 0.06) << "name_fraction " << f;
  }
}

TEST(Sentences, PoolWithoutUsedNamesNeverMentionsThem) {
  const NamePool full = NamePool::builtin();
  std::set<std::string> used(full.first_names.begin(), full.first_names.begin() + 150);
  used.insert(full.surnames.begin(), full.surnames.begin() + 150);
  const NamePool pool = full.without(used);
  size_t kept = 0;
  for (const auto& n : full.first_names) kept += !used.count(n);
  EXPECT_EQ(pool.first_names.size(), kept);
  EXPECT_LE(kept, full.first_names.size() - 150);
  SentenceGenerator gen({5, 12, 1.0, 2});
  Rng rng(9);
  for (int i = 0; i < 300; ++i)
    for (const auto& m : gen.sentence(pool, rng).names) {
      EXPECT_FALSE(used.count(m.first)) << m.first;
      EXPECT_FALSE(used.count(m.surname)) << m.surname;
    }
}

TEST(Sentences, CanarySentencesMentionTheChosenNameOnce) {
  SentenceOptions o{5, 10, 0.0, 1};
  SentenceGenerator gen(o);
  const NameMention name = parse_name("alice morgan", "name");
  EXPECT_EQ(name.text(), "ALICE MORGAN");
  Rng rng(1);
  for (int i = 0; i < 100; ++i) {
    const Sentence s = gen.sentence_with_name(name, rng);
    expect_consistent(s, o);
    ASSERT_EQ(s.names.size(), 1u) << s.transcript();
    EXPECT_EQ(s.names[0].text(), "ALICE MORGAN");
    const Sentence r = gen.random_words(name, rng);
    expect_consistent(r, o);
    ASSERT_EQ(r.names.size(), 1u);
  }
  EXPECT_TRUE(gen.random_words(std::nullopt, rng).names.empty());
  EXPECT_THROW(parse_name("alice b morgan", "name"), InvalidArgument);
  EXPECT_THROW(parse_name("o'brien", "name"), InvalidArgument);
}

TEST(Sentences, SpokenTextOffsetsPointAtTheWords) {
  SentenceGenerator gen({6, 14, 1.0, 2});
  Rng rng(2);
  const NamePool pool = NamePool::builtin();
  bool saw_pause = false;
  for (int i = 0; i < 100; ++i) {
    const Sentence s = gen.sentence(pool, rng);
    std::vector<size_t> offsets;
    const std::string t = s.spoken_text(&offsets);
    ASSERT_EQ(offsets.size(), s.words.size());
    for (size_t k = 0; k < s.words.size(); ++k)
      EXPECT_EQ(text::to_upper(t.substr(offsets[k], s.words[k].size())), s.words[k]) << t;
    saw_pause |= t.find(',') != std::string::npos;
    EXPECT_EQ(s.transcript().find(','), std::string::npos);
  }
  EXPECT_TRUE(saw_pause);
}

// Every word the generator can produce must come back from espeak-ng as exactly one word event; otherwise the
// alignments of some future corpus would fail. Spoken in chunks, all in one worker.
TEST(Sentences, EspeakSpeaksEveryWordAndNameAsOneWord) {
  std::vector<std::string> all = vocabulary_words();
  const size_t vocab_size = all.size();
  const NamePool pool = NamePool::builtin();
  all.insert(all.end(), pool.first_names.begin(), pool.first_names.end());
  all.insert(all.end(), pool.surnames.begin(), pool.surnames.end());
  std::vector<EspeakRequest> batch;
  std::vector<std::vector<size_t>> offsets;
  for (size_t b = 0; b < all.size(); b += 60) {
    Sentence s;
    for (size_t i = b; i < std::min(all.size(), b + 60); ++i) {
      if (i >= vocab_size) s.names.push_back({all[i], "", static_cast<int>(s.words.size()), 1});  // capitalised
      // Alphabetical order puts THAT before THE: a comma keeps such known pairs apart, as the generator does.
      if (!s.words.empty() && std::find(kJoinedPairs.begin(), kJoinedPairs.end(),
                                        std::make_pair(s.words.back(), all[i])) != kJoinedPairs.end())
        s.pause_after.back() = true;
      s.words.push_back(all[i]);
      s.pause_after.push_back(false);
    }
    // Accents have their own pronunciation rules (en-us-nyc once swallowed "Hugh" whole). Speaking every chunk
    // with every accent takes ~10 s, so each chunk gets three, rotating; the full cross was checked when the
    // lists were written (docs/synth.md).
    for (size_t j = 0; j < 3; ++j) {
      const size_t a = (b / 60 * 3 + j) % accents().size();
      offsets.emplace_back();
      batch.push_back({settings_for(catalogue_voice(a)), s.spoken_text(&offsets.back()), 1});
      batch.back().voice.rate = 450;  // fast: only the events matter
    }
  }
  const auto results = EspeakEngine::instance().synthesize(batch);
  ASSERT_EQ(results.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i)
    EXPECT_NO_THROW(word_starts(results[i].words, offsets[i], batch[i].text)) << batch[i].voice.espeak_name;
}

// The chain the corpus relies on: generated sentences never hold a joined pair, and espeak-ng reports exactly one
// word event per transcript word for them, with every accent.
TEST(Sentences, GeneratedSentencesMapOneToOneOntoEspeakWords) {
  SentenceGenerator gen({3, 20, 0.5, 2});
  const NamePool pool = NamePool::builtin();
  Rng rng(4);
  std::vector<EspeakRequest> batch;
  std::vector<std::vector<size_t>> offsets;
  for (int i = 0; i < 240; ++i) {
    const Sentence s = i % 4 == 3 ? gen.random_words(std::nullopt, rng) : gen.sentence(pool, rng);
    EXPECT_FALSE(has_joined_pair(s)) << s.transcript();
    offsets.emplace_back();
    Voice v = catalogue_voice(i % accents().size());
    v.rate = 400;
    batch.push_back({settings_for(v), s.spoken_text(&offsets.back()), 1});
  }
  const auto results = EspeakEngine::instance().synthesize(batch);
  for (size_t i = 0; i < batch.size(); ++i) EXPECT_NO_THROW(word_starts(results[i].words, offsets[i], batch[i].text));
}

}  // namespace
}  // namespace speechleak::synth
