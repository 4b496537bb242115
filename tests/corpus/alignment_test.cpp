// Alignment conventions, LibriSpeech alignment.txt files, read_alignments over a tree, and attach_alignments.
#include "speechleak/corpus/alignment.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "speechleak/corpus/alignment_txt.h"
#include "speechleak/corpus/textgrid.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "support/test_support.h"

namespace speechleak::corpus {
namespace {

using speechleak::testing::TempDir;
using speechleak::testing::write_text;

void expect_span(const WordSpan& w, const std::string& word, double start, double end) {
  EXPECT_EQ(w.word, word);
  EXPECT_DOUBLE_EQ(w.start_s, start);
  EXPECT_DOUBLE_EQ(w.end_s, end);
}

std::vector<std::string> keys(const AlignmentMap& map) {
  std::vector<std::string> out;
  for (const auto& [id, words] : map) out.push_back(id);
  return out;
}

// Collects log messages for the lifetime of the object.
class LogCapture {
 public:
  LogCapture() {
    previous_ = set_log_sink([this](LogLevel level, std::string_view m) { messages.emplace_back(m); });
  }
  ~LogCapture() { set_log_sink(previous_); }
  std::vector<std::string> messages;

 private:
  LogSink previous_;
};

const char* kChapter =
    "84-121123-0000 \",GO,,DO,YOU,HEAR,\" \"0.490,0.890,1.270,1.380,1.490,1.890,2.280\"\n"
    "\n"
    "84-121123-0001 \",BUT,NOW,\" \"0.300,0.600,1.000,1.500\"\n";

const char* kTextGrid = "\"ooTextFile\"\n\"TextGrid\"\n0\n1\n<exists>\n1\n\"IntervalTier\"\n\"words\"\n0\n1\n2\n"
                        "0\n0.4\n\"\"\n0.4\n1\n\"yes\"\n";

TEST(AlignmentConventions, SilenceAndUnknownLabels) {
  for (const char* silence : {"", "  ", "sil", "SIL", "sp", "<eps>", "<sil>", "!SIL"})
    EXPECT_FALSE(word_from_label(silence).has_value()) << "'" << silence << "'";
  EXPECT_EQ(word_from_label("spn"), "<unk>");
  EXPECT_EQ(word_from_label("<UNK>"), "<unk>");
  EXPECT_EQ(word_from_label(" Hello "), "Hello");
}

TEST(AlignmentConventions, CheckSpansNamesTheProblem) {
  EXPECT_EQ(check_spans({{"a", 0, 1}, {"b", 1.0000005, 2}}), "");  // within the rounding tolerance
  EXPECT_EQ(check_spans({{"a", 0, 1}, {"b", 0.9, 2}}, {4, 7}),
            "line 7: word 2 'b' starts at 0.9 s, before the previous word 'a' ends (1 s); expected sorted, "
            "non-overlapping words");
  EXPECT_EQ(check_spans({{"a", 2, 1}}), "word 1 'a' ends at 1 s, before its start 2 s; expected end >= start");
}

TEST(AlignmentConventions, WordsMatchIgnoresCasePunctuationAndUnknowns) {
  const std::vector<WordSpan> words = {{"hello", 0, 1}, {"<unk>", 1, 2}, {"well", 2, 3}, {"known", 3, 4},
                                       {"dont", 4, 5}};
  EXPECT_TRUE(words_match(words, "HELLO, Zanzibar! Well-known \"DON'T\"."));
  EXPECT_FALSE(words_match(words, "HELLO Zanzibar WELL KNOWN"));            // one word short
  EXPECT_FALSE(words_match(words, "HELLO Zanzibar WELL KNOWN DO"));         // different word
  EXPECT_FALSE(words_match({{"a", 0, 1}}, "a b"));
  EXPECT_TRUE(words_match({}, " ... "));
}

TEST(AlignmentTxtRead, SilencesDroppedAndStartsFromPreviousEnd) {
  auto map = parse_alignment_txt(kChapter, "84-121123.alignment.txt");
  ASSERT_EQ(keys(map), (std::vector<std::string>{"84-121123-0000", "84-121123-0001"}));
  const auto& a = map.at("84-121123-0000");
  ASSERT_EQ(a.size(), 4u);
  expect_span(a[0], "GO", 0.49, 0.89);
  expect_span(a[1], "DO", 1.27, 1.38);
  expect_span(a[2], "YOU", 1.38, 1.49);
  expect_span(a[3], "HEAR", 1.49, 1.89);
  const auto& b = map.at("84-121123-0001");
  ASSERT_EQ(b.size(), 2u);
  expect_span(b[0], "BUT", 0.3, 0.6);
  expect_span(b[1], "NOW", 0.6, 1.0);
}

TEST(AlignmentTxtRead, MalformedLinesNameFileAndLine) {
  auto expect_error = [](const std::string& content, const std::string& needle) {
    try {
      parse_alignment_txt(content, "9-9.alignment.txt");
      ADD_FAILURE() << "no FormatError for " << content;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what() << "\nexpected: " << needle;
    }
  };
  expect_error("u \",A,\" \"0.1,0.5\"\n", "9-9.alignment.txt: line 1: 3 words (silences included) but 2 end times");
  expect_error("u \",A,\" \"0.1,0.x,0.9\"\n", "line 1: end time 2: expected a number, got '0.x'");
  expect_error("x \"A\" \"0.5\"\nu \",A,B\" \"0.1,0.5,0.4\"\n", "line 2: word 3 'B' ends at 0.4 s, before its start 0.5 s");
  expect_error("u \",A\" \"0.1,0.5\"\nu \",A\" \"0.1,0.5\"\n", "line 2: utterance id 'u' repeated (first on line 1)");
  expect_error("u \",A\"\n", "line 1: found 2 fields");
  expect_error("u \",A \"0.1,0.5\"\n", "line 1: unbalanced quotes");
}

TEST(AlignmentTxtRead, WithSkipReportTheRestOfTheChapterIsKept) {
  SkipReport skipped;
  auto map = parse_alignment_txt(std::string("bad \",A,\" \"1\"\n") + kChapter, "c.alignment.txt", &skipped);
  EXPECT_EQ(map.size(), 2u);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped.items[0].id, "bad");
  EXPECT_EQ(skipped.items[0].where, "c.alignment.txt:1");
}

// A tree with every format, an ignored file, a broken file and an id that appears twice.
class AlignmentTree : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir_ / "tg/84/121123/84-121123-0002.TextGrid", kTextGrid);
    write_text(dir_ / "tg/84/121123/84-121123-0003.TextGrid", "\"ooTextFile\"\n\"TextGrid\"\n0\n");  // truncated
    write_text(dir_ / "ctm/all.ctm", "s1 1 0.1 0.2 one\ns2 1 0.3 0.2 two\n84-121123-0002 1 0 1 dup\n");
    write_text(dir_ / "chap/84-121123.alignment.txt", kChapter);
    write_text(dir_ / "chap/84-121123.trans.txt", "84-121123-0000 GO DO YOU HEAR\n");  // not an alignment file
  }
  TempDir dir_;
};

TEST_F(AlignmentTree, ReadsEveryFormatAndReportsProblems) {
  SkipReport skipped;
  auto map = read_alignments(dir_.path(), &skipped);
  EXPECT_EQ(keys(map), (std::vector<std::string>{"84-121123-0000", "84-121123-0001", "84-121123-0002", "s1", "s2"}));
  // Paths are visited sorted (chap/, ctm/, tg/): the CTM's entry for -0002 is kept, the TextGrid's reported.
  ASSERT_EQ(map.at("84-121123-0002").size(), 1u);
  expect_span(map.at("84-121123-0002")[0], "dup", 0.0, 1.0);
  expect_span(map.at("84-121123-0000")[3], "HEAR", 1.49, 1.89);
  expect_span(map.at("s2")[0], "two", 0.3, 0.5);
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped.counts_by_reason().at("unreadable alignment file"), 1u);
  EXPECT_EQ(skipped.counts_by_reason().at("duplicate alignment"), 1u);
  for (const auto& item : skipped.items) {
    if (item.reason.starts_with("duplicate")) {
      EXPECT_EQ(item.id, "84-121123-0002");
      EXPECT_EQ(item.where, (dir_ / "tg/84/121123/84-121123-0002.TextGrid").string());
      EXPECT_NE(item.reason.find("ctm/all.ctm (kept)"), std::string::npos) << item.reason;
    } else {
      EXPECT_EQ(item.id, "84-121123-0003.TextGrid");
      EXPECT_NE(item.reason.find("expected TextGrid xmax"), std::string::npos) << item.reason;
    }
  }
}

TEST_F(AlignmentTree, WithoutSkipReportTheFirstProblemThrows) {
  EXPECT_THROW(read_alignments(dir_.path(), nullptr), FormatError);
}

TEST_F(AlignmentTree, SingleFilesAndMissingPaths) {
  auto one = read_alignments(dir_ / "tg/84/121123/84-121123-0002.TextGrid", nullptr);
  EXPECT_EQ(keys(one), std::vector<std::string>{"84-121123-0002"});
  EXPECT_THROW(read_alignments(dir_ / "nowhere", nullptr), FileError);
  EXPECT_THROW(read_alignments(dir_ / "chap/84-121123.trans.txt", nullptr), FormatError);
}

TEST(AlignmentRead, FallbackTierIsLoggedOnce) {
  TempDir dir;
  write_textgrid(dir / "a.TextGrid", {{"x", 0.1, 0.2}}, 0.5, "utt");
  write_textgrid(dir / "b.TextGrid", {{"y", 0.1, 0.2}}, 0.5, "utt");
  write_textgrid(dir / "c.TextGrid", {{"z", 0.1, 0.2}}, 0.5);
  LogCapture log;
  SkipReport skipped;
  auto map = read_alignments(dir.path(), &skipped);
  EXPECT_EQ(map.size(), 3u);
  EXPECT_TRUE(skipped.empty());
  ASSERT_EQ(log.messages.size(), 1u);
  EXPECT_NE(log.messages[0].find("2 TextGrid file(s) have no tier named \"words\""), std::string::npos);
  EXPECT_NE(log.messages[0].find("a.TextGrid: \"utt\""), std::string::npos) << log.messages[0];
}

Utterance utterance(const std::string& id, std::optional<std::string> transcript) {
  Utterance u;
  u.id = id;
  u.speaker_id = "spk";
  u.source = AudioSource::file(id + ".wav");
  u.transcript = std::move(transcript);
  return u;
}

TEST(AlignmentAttach, ReportsCountsAndAttachesMismatchesAnyway) {
  Corpus corpus;
  corpus.utterances = {utterance("u1", "Hello, world!"), utterance("u2", "DON'T stop"), utterance("u3", "gone"),
                       utterance("u4", std::nullopt)};
  corpus.finalize();
  const AlignmentMap alignments = {{"u1", {{"hello", 0, 1}, {"WORLD", 1, 2}}},
                                   {"u2", {{"do", 0, 1}, {"not", 1, 2}, {"stop", 2, 3}}},
                                   {"u4", {{"x", 0.5, 1}}},
                                   {"u9", {{"y", 0, 1}}}};
  auto report = attach_alignments(corpus, alignments);
  EXPECT_EQ(report.attached, 3u);
  EXPECT_EQ(report.without_alignment, std::vector<std::string>{"u3"});
  EXPECT_EQ(report.unknown_ids, std::vector<std::string>{"u9"});
  EXPECT_EQ(report.word_mismatch, std::vector<std::string>{"u2"});
  EXPECT_EQ(report.summary(),
            "3 of 4 utterances aligned; 1 without alignment; 1 alignments for unknown utterances; 1 word mismatches "
            "(attached anyway)");
  ASSERT_TRUE(corpus.find("u2")->alignment.has_value());
  EXPECT_EQ(corpus.find("u2")->alignment->size(), 3u);
  ASSERT_TRUE(corpus.find("u4")->alignment.has_value());
  expect_span(corpus.find("u4")->alignment->at(0), "x", 0.5, 1.0);
  EXPECT_FALSE(corpus.find("u3")->alignment.has_value());
}

TEST(AlignmentAttach, CleanSummary) {
  Corpus corpus;
  corpus.utterances = {utterance("a", "yes")};
  corpus.finalize();
  auto report = attach_alignments(corpus, {{"a", {{"yes", 0, 1}}}});
  EXPECT_EQ(report.summary(), "1 of 1 utterances aligned");
}

}  // namespace
}  // namespace speechleak::corpus
