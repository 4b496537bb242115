// CTM reading (comments, several utterances, sorting, errors, per-utterance skips) and writing.
#include "speechleak/corpus/ctm.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "speechleak/util/error.h"
#include "support/test_support.h"

namespace speechleak::corpus {
namespace {

using speechleak::testing::TempDir;
using speechleak::testing::write_text;

// Two utterances, interleaved and out of order, with comments, a blank line, silences and an unknown word.
const char* kCtm = R"(;; produced by a test
;; <utt> <channel> <begin> <duration> <word> [<confidence>]

utt2 1 0.50 0.30 world 0.98
utt1 A 1.20 0.40 second
utt1 A 0.10 0.50 first 0.5
utt1 A 0.60 0.20 <eps>
utt2 1 0.10 0.20 SIL
utt1 A 2.00 0.10 spn
)";

void expect_span(const WordSpan& w, const std::string& word, double start, double end) {
  EXPECT_EQ(w.word, word);
  EXPECT_NEAR(w.start_s, start, 1e-12);
  EXPECT_NEAR(w.end_s, end, 1e-12);
}

std::string parse_error(const std::string& content) {
  try {
    parse_ctm(content, "bad.ctm");
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), "bad.ctm");
    return e.what();
  }
  ADD_FAILURE() << "no FormatError";
  return "";
}

void expect_error(const std::string& content, const std::string& needle) {
  const std::string msg = parse_error(content);
  EXPECT_NE(msg.find(needle), std::string::npos) << "message: " << msg << "\nexpected to contain: " << needle;
}

TEST(CtmRead, CommentsSeveralUtterancesSortedSilenceDropped) {
  TempDir dir;
  write_text(dir / "a.ctm", kCtm);
  auto map = read_ctm(dir / "a.ctm");
  ASSERT_EQ(map.size(), 2u);
  const auto& u1 = map.at("utt1");
  ASSERT_EQ(u1.size(), 3u);
  expect_span(u1[0], "first", 0.10, 0.60);
  expect_span(u1[1], "second", 1.20, 1.60);
  expect_span(u1[2], "<unk>", 2.00, 2.10);
  const auto& u2 = map.at("utt2");
  ASSERT_EQ(u2.size(), 1u);
  expect_span(u2[0], "world", 0.50, 0.80);
}

TEST(CtmRead, CrlfAndByteOrderMarkAreTolerated) {
  TempDir dir;
  write_text(dir / "b.ctm", "\xEF\xBB\xBFu 1 0.5 0.25 hi\r\nu 1 1 0.5 there\r\n");
  auto map = read_ctm(dir / "b.ctm");
  ASSERT_EQ(map.count("u"), 1u);
  ASSERT_EQ(map.at("u").size(), 2u);
  expect_span(map.at("u")[1], "there", 1.0, 1.5);
}

TEST(CtmRead, MalformedLinesNameFileAndLine) {
  expect_error("u 1 0.1 0.2 a\nu 1 0.x 0.2 b\n", "bad.ctm: line 2: begin time (field 3): expected a number, got '0.x'");
  expect_error("u 1 0.1 0.2 a\n;; c\nu 1 0.5 0.2\n", "bad.ctm: line 3: found 4 fields; expected '<utt> <channel>");
  expect_error("u 1 0.1 -0.2 a\n", "bad.ctm: line 1: duration -0.2 is negative");
  expect_error("u 1 0.1 nan a\n", "non-finite time");
}

TEST(CtmRead, OverlapAndNegativeStartAreRejectedAfterSorting) {
  expect_error("u 1 1.0 0.5 b\nu 1 0.2 0.9 a\n",
               "bad.ctm: utterance 'u': line 1: word 2 'b' starts at 1 s, before the previous word 'a' ends (1.1 s)");
  expect_error("v 1 -0.5 0.2 a\n", "utterance 'v': line 1: word 1 'a' starts at -0.5 s; expected a time >= 0");
}

TEST(CtmRead, WithSkipReportOnlyTheBadUtteranceIsDropped) {
  SkipReport skipped;
  auto map = parse_ctm("good 1 0.1 0.2 a\nbad 1 0.1 0.2 x\nbad 1 zero 0.2 y\nworse 1 0 1 p\nworse 1 0.5 1 q\n",
                       "c.ctm", &skipped);
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map.count("good"), 1u);
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped.items[0].id, "bad");
  EXPECT_EQ(skipped.items[0].where, "c.ctm");
  EXPECT_EQ(skipped.items[0].reason.rfind("invalid alignment: line 3: begin time", 0), 0u) << skipped.items[0].reason;
  EXPECT_EQ(skipped.items[1].id, "worse");
  EXPECT_NE(skipped.items[1].reason.find("line 5: word 2 'q'"), std::string::npos) << skipped.items[1].reason;
  EXPECT_EQ(skipped.counts_by_reason().at("invalid alignment"), 2u);
}

TEST(CtmWrite, FixedMillisecondsNeverIntroduceOverlap) {
  std::ostringstream out;
  // 0.1006 -> 0.101 and 0.5004 -> 0.500: the duration comes from the rounded ends (0.399), not round(0.3998) = 0.4,
  // which would end the first word after the second begins.
  write_ctm_lines(out, "u7", {{"a", 0.1006, 0.5004}, {"b", 0.5004, 1.25}, {"c", 3.0, 3.0}});
  EXPECT_EQ(out.str(), "u7 1 0.101 0.399 a\nu7 1 0.500 0.750 b\nu7 1 3.000 0.000 c\n");
  auto map = parse_ctm(out.str(), "rt.ctm");
  ASSERT_EQ(map.at("u7").size(), 3u);
  expect_span(map.at("u7")[0], "a", 0.101, 0.500);
  expect_span(map.at("u7")[2], "c", 3.0, 3.0);
}

TEST(CtmWrite, RoundTripsThroughAFile) {
  TempDir dir;
  AlignmentMap in = {{"s1-a", {{"hello", 0.25, 0.5}, {"<unk>", 0.5, 0.875}}}, {"s1-b", {{"x", 1.0, 2.0}}}};
  write_ctm(dir / "out.ctm", in);
  auto back = read_ctm(dir / "out.ctm");
  ASSERT_EQ(back.size(), in.size());
  for (const auto& [id, words] : in) {
    ASSERT_EQ(back.at(id).size(), words.size()) << id;
    for (size_t i = 0; i < words.size(); ++i) expect_span(back.at(id)[i], words[i].word, words[i].start_s, words[i].end_s);
  }
}

TEST(CtmWrite, RejectsWhatCannotBeWritten) {
  std::ostringstream out;
  EXPECT_THROW(write_ctm_lines(out, "", {{"a", 0, 1}}), InvalidArgument);
  EXPECT_THROW(write_ctm_lines(out, "u 1", {{"a", 0, 1}}), InvalidArgument);
  EXPECT_THROW(write_ctm_lines(out, "u", {{"two words", 0, 1}}), InvalidArgument);
  EXPECT_THROW(write_ctm_lines(out, "u", {{"a", -1, 1}}), InvalidArgument);
  EXPECT_THROW(write_ctm_lines(out, "u", {{"a", 1, 0.5}}), InvalidArgument);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace speechleak::corpus
