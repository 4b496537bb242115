// TextGrid reading (long and short text formats, encodings, tier choice, errors) and writing.
#include "speechleak/corpus/textgrid.h"

#include <gtest/gtest.h>

#include <string>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::corpus {
namespace {

using speechleak::testing::TempDir;
using speechleak::testing::write_text;

// Praat long format, as MFA writes it: a phone tier first, so that the "words" tier must be found by name.
const char* kLong = R"(File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0 
xmax = 2.5 
tiers? <exists> 
size = 2 
item []: 
    item [1]:
        class = "IntervalTier" 
        name = "phones" 
        xmin = 0 
        xmax = 2.5 
        intervals: size = 2 
        intervals [1]:
            xmin = 0 
            xmax = 1.0 
            text = "HH" 
        intervals [2]:
            xmin = 1.0 
            xmax = 2.5 
            text = "" 
    item [2]:
        class = "IntervalTier" 
        name = "words" 
        xmin = 0 
        xmax = 2.5 
        intervals: size = 5 
        intervals [1]:
            xmin = 0 
            xmax = 0.32 
            text = "" 
        intervals [2]:
            xmin = 0.32 
            xmax = 0.71 
            text = "hello" 
        intervals [3]:
            xmin = 0.71 
            xmax = 0.9 
            text = "sp" 
        intervals [4]:
            xmin = 0.9 
            xmax = 1.48 
            text = "say ""hi""" 
        intervals [5]:
            xmin = 1.48 
            xmax = 2.5 
            text = "spn" 
)";

// The same TextGrid in the short format, with a TextTier in between and a Praat comment.
const char* kShort = R"("ooTextFile"
"TextGrid"
0
2.5
<exists>
3
"TextTier"
"events"
0
2.5
1
1.2 ! a point: time, then mark
"click"
"IntervalTier"
"WORDS"
0
2.5
5
0
0.32
""
0.32
0.71
"hello"
0.71
0.9
"sil"
0.9
1.48
"say ""hi"""
1.48
2.5
"spn"
"IntervalTier"
"phones"
0
2.5
1
0
2.5
""
)";

void expect_span(const WordSpan& w, const std::string& word, double start, double end) {
  EXPECT_EQ(w.word, word);
  EXPECT_DOUBLE_EQ(w.start_s, start);
  EXPECT_DOUBLE_EQ(w.end_s, end);
}

void expect_example_words(const TextGridWords& tg) {
  ASSERT_EQ(tg.words.size(), 3u);
  expect_span(tg.words[0], "hello", 0.32, 0.71);
  expect_span(tg.words[1], "say \"hi\"", 0.9, 1.48);
  expect_span(tg.words[2], "<unk>", 1.48, 2.5);
}

// The message of the FormatError that parsing `content` as "bad.TextGrid" throws ("" when none is thrown).
std::string parse_error(const std::string& content) {
  try {
    parse_textgrid(content, "bad.TextGrid");
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), "bad.TextGrid");
    return e.what();
  }
  ADD_FAILURE() << "no FormatError";
  return "";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

std::string utf16(const std::u16string& s, bool big_endian) {
  std::string out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (char16_t u : s) {
    const char hi = static_cast<char>(u >> 8), lo = static_cast<char>(u & 0xFF);
    out += big_endian ? hi : lo;
    out += big_endian ? lo : hi;
  }
  return out;
}

TEST(TextGridRead, LongFormatTakesTheWordsTierAndDropsSilence) {
  auto tg = parse_textgrid(kLong, "x.TextGrid");
  expect_example_words(tg);
  EXPECT_EQ(tg.tier, "words");
  EXPECT_TRUE(tg.words_tier_found);
  EXPECT_DOUBLE_EQ(tg.xmin, 0.0);
  EXPECT_DOUBLE_EQ(tg.xmax, 2.5);
}

TEST(TextGridRead, ShortFormatWithTextTierAndCommentReadsTheSame) {
  auto tg = parse_textgrid(kShort, "x.TextGrid");
  expect_example_words(tg);
  EXPECT_EQ(tg.tier, "WORDS");
  EXPECT_TRUE(tg.words_tier_found);
}

TEST(TextGridRead, WithoutWordsTierTakesFirstIntervalTierAndSaysSo) {
  std::string content = replace(replace(kShort, "\"WORDS\"", "\"utt\""), "\"phones\"", "\"words2\"");
  auto tg = parse_textgrid(content, "x.TextGrid");
  EXPECT_EQ(tg.tier, "utt");
  EXPECT_FALSE(tg.words_tier_found);
  expect_example_words(tg);
}

TEST(TextGridRead, Utf8ByteOrderMarkIsSkipped) {
  TempDir dir;
  write_text(dir / "a.TextGrid", std::string("\xEF\xBB\xBF") + kLong);
  expect_example_words(read_textgrid(dir / "a.TextGrid"));
}

TEST(TextGridRead, Utf16BothEndiannessesAreDecoded) {
  // "café" and U+1F600 (a surrogate pair) as the only word labels.
  const std::u16string content = u"\"ooTextFile\"\n\"TextGrid\"\n0\n2\n<exists>\n1\n\"IntervalTier\"\n\"words\"\n"
                                 u"0\n2\n2\n0\n1\n\"caf\u00e9\"\n1\n2\n\"\U0001F600\"\n";
  TempDir dir;
  for (bool big_endian : {true, false}) {
    write_text(dir / "u.TextGrid", utf16(content, big_endian));
    auto tg = read_textgrid(dir / "u.TextGrid");
    ASSERT_EQ(tg.words.size(), 2u) << big_endian;
    EXPECT_EQ(tg.words[0].word, "caf\xC3\xA9");
    EXPECT_EQ(tg.words[1].word, "\xF0\x9F\x98\x80");
    EXPECT_DOUBLE_EQ(tg.words[1].end_s, 2.0);
  }
}

TEST(TextGridRead, TruncatedUtf16IsAFormatError) {
  TempDir dir;
  write_text(dir / "odd.TextGrid", utf16(u"\"ooTextFile\"", false) + "x");
  try {
    read_textgrid(dir / "odd.TextGrid");
    FAIL() << "no FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("odd.TextGrid"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("UTF-16"), std::string::npos) << e.what();
  }
}

TEST(TextGridRead, BadNumberNamesFileAndLine) {
  auto msg = parse_error(replace(kLong, "xmax = 0.71 ", "xmax = 0.7x1 "));
  EXPECT_NE(msg.find("bad.TextGrid: line 35: bad number '0.7x1'"), std::string::npos) << msg;
}

TEST(TextGridRead, MissingValueAfterEqualsIsABadNumber) {
  auto msg = parse_error(replace(kLong, "xmin = 0.9 ", "xmin = "));
  EXPECT_NE(msg.find("bad number 'xmax'"), std::string::npos) << msg;
}

TEST(TextGridRead, MissingTierCountIsReported) {
  auto msg = parse_error(replace(kLong, "size = 2 \n", ""));
  EXPECT_NE(msg.find("bad.TextGrid: line 9: expected the number of tiers ('size = <count>'), found the string "
                     "\"IntervalTier\" labelled 'class'"),
            std::string::npos)
      << msg;
}

TEST(TextGridRead, MissingIntervalCountIsReported) {
  auto msg = parse_error(replace(kLong, "intervals: size = 5 ", "intervals:"));
  EXPECT_NE(msg.find("bad.TextGrid: line 30: expected tier 2 interval count ('size = <count>'), found the number 0 "
                     "labelled 'xmin'"),
            std::string::npos)
      << msg;
}

TEST(TextGridRead, OverlappingIntervalsAreRejected) {
  auto msg = parse_error(replace(kLong, "xmin = 0.9 ", "xmin = 0.8 "));
  EXPECT_NE(msg.find("bad.TextGrid: tier \"words\": line 42: interval 4 'say \"hi\"' starts at 0.8 s, before the "
                     "previous interval 'sp' ends (0.9 s)"),
            std::string::npos)
      << msg;
}

TEST(TextGridRead, IntervalEndingBeforeItStartsIsRejected) {
  auto msg = parse_error(replace(kLong, "xmax = 0.71 ", "xmax = 0.3 "));
  EXPECT_NE(msg.find("line 34: interval 2 'hello' ends at 0.3 s, before its start 0.32 s; expected end >= start"),
            std::string::npos)
      << msg;
}

TEST(TextGridRead, FileXmaxBeforeXminIsRejected) {
  auto msg = parse_error(replace(kLong, "xmax = 2.5 \ntiers?", "xmax = -1 \ntiers?"));
  EXPECT_NE(msg.find("line 5: TextGrid xmax -1 is less than its xmin"), std::string::npos) << msg;
}

TEST(TextGridRead, NegativeAndNonFiniteTimesAreRejected) {
  // Only the chosen tier is validated: a negative time in the phone tier costs nothing.
  expect_example_words(parse_textgrid(replace(kShort, "\n1\n0\n2.5\n\"\"", "\n1\n-1\n2.5\n\"\""), "x.TextGrid"));
  auto words_neg = parse_error(replace(kShort, "5\n0\n0.32\n", "5\n-0.1\n0.32\n"));
  EXPECT_NE(words_neg.find("interval 1 '' starts at -0.1 s; expected a time >= 0"), std::string::npos) << words_neg;
  auto inf = parse_error(replace(kLong, "xmax = 0.71 ", "xmax = inf "));
  EXPECT_NE(inf.find("non-finite time"), std::string::npos) << inf;
}

// Asserts that parsing fails with a message containing `needle`.
void expect_error(const std::string& content, const std::string& needle) {
  const std::string msg = parse_error(content);
  EXPECT_NE(msg.find(needle), std::string::npos) << "message: " << msg << "\nexpected to contain: " << needle;
}

TEST(TextGridRead, HeaderAndStructureErrors) {
  expect_error(replace(kLong, "\"TextGrid\"", "\"Sound\""), "line 2: Object class is \"Sound\"; expected \"TextGrid\"");
  expect_error(replace(kLong, "\"ooTextFile\"", "\"binary\""), "line 1: File type is \"binary\"; expected \"ooTextFile\"");
  expect_error(std::string(kLong) + "text = \"dangling\n", "line 49: unterminated string");
  expect_error(replace(kLong, "size = 2 ", "size = 1 "), "line 24: found the string \"IntervalTier\" labelled 'class' "
                                                         "after the last of 1 tiers");
  expect_error(replace(kLong, "size = 2 ", "size = 1.5 "), "line 7: the number of tiers is 1.5; expected a "
                                                           "non-negative integer");
  expect_error(replace(kLong, "\"IntervalTier\"", "\"PointTier\""), "line 10: tier 1 has class \"PointTier\"");
  expect_error(replace(kLong, "tiers? <exists>", "tiers? <maybe>"), "line 6: found <maybe>; expected <exists>");
  expect_error("\"ooTextFile\"\n\"TextGrid\"\n0\n1\n<exists>\n1\n\"TextTier\"\n\"e\"\n0\n1\n0\n",
               "no IntervalTier among 1 tiers");
}

TEST(TextGridWrite, RoundTripsExactlyAndTilesTheDuration) {
  TempDir dir;
  const std::vector<WordSpan> words = {{"a", 0.5, 1.0}, {"b\"q", 1.0, 1.7}, {"c", 2.0, 2.5}, {"<unk>", 2.5, 2.9}};
  write_textgrid(dir / "g.TextGrid", words, 3.1);
  auto tg = read_textgrid(dir / "g.TextGrid");
  ASSERT_EQ(tg.words.size(), words.size());
  for (size_t i = 0; i < words.size(); ++i) {
    EXPECT_EQ(tg.words[i].word, words[i].word);
    EXPECT_EQ(tg.words[i].start_s, words[i].start_s);  // exact: shortest round-trip formatting
    EXPECT_EQ(tg.words[i].end_s, words[i].end_s);
  }
  EXPECT_EQ(tg.tier, "words");
  EXPECT_DOUBLE_EQ(tg.xmax, 3.1);
  // silence 0-0.5, a, b, silence 1.7-2.0, c, <unk>, silence 2.9-3.1
  const std::string text = speechleak::read_text_file(dir / "g.TextGrid");
  EXPECT_NE(text.find("intervals: size = 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("intervals [7]:\n            xmin = 2.9\n            xmax = 3.1\n            text = \"\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("text = \"b\"\"q\""), std::string::npos) << text;
}

TEST(TextGridWrite, TierNameIsWrittenAndReportedAsFallback) {
  TempDir dir;
  write_textgrid(dir / "t.TextGrid", {{"x", 0.1, 0.2}}, 0.2, "utterance");
  auto tg = read_textgrid(dir / "t.TextGrid");
  EXPECT_EQ(tg.tier, "utterance");
  EXPECT_FALSE(tg.words_tier_found);
  ASSERT_EQ(tg.words.size(), 1u);
  EXPECT_DOUBLE_EQ(tg.words[0].end_s, 0.2);
}

TEST(TextGridWrite, RejectsWhatWouldNotReadBack) {
  TempDir dir;
  const auto p = dir / "r.TextGrid";
  EXPECT_THROW(write_textgrid(p, {{"a", 0.5, 1.0}, {"b", 0.9, 1.2}}, 2), InvalidArgument);  // overlap
  EXPECT_THROW(write_textgrid(p, {{"a", 0.5, 0.5}}, 2), InvalidArgument);                   // zero length
  EXPECT_THROW(write_textgrid(p, {{"a", 1.5, 2.5}}, 2), InvalidArgument);                   // past the end
  EXPECT_THROW(write_textgrid(p, {{"sil", 0.5, 1.0}}, 2), InvalidArgument);                 // reads as silence
  EXPECT_THROW(write_textgrid(p, {{"", 0.5, 1.0}}, 2), InvalidArgument);
  EXPECT_THROW(write_textgrid(p, {}, 0), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(p));
}

}  // namespace
}  // namespace speechleak::corpus
