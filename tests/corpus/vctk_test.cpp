#include "speechleak/corpus/vctk.h"

#include <gtest/gtest.h>

#include "corpus/reader_test_helpers.h"
#include "speechleak/util/error.h"
#include "support/test_support.h"

namespace speechleak::corpus {
namespace {

using speechleak::testing::TempDir;
using speechleak::testing::write_text;
using speechleak::testing::write_tone;
using test::ids;
using test::skips;
using Strings = std::vector<std::string>;

// VCTK 0.92 in miniature: p225 complete (plus a text without audio), p280 without mic2, p315 without text.
class Vctk092 : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto wav = dir / "wav48_silence_trimmed";
    write_tone(wav / "p225/p225_001_mic1.flac", 0.1, 48000);
    write_tone(wav / "p225/p225_001_mic2.flac", 0.1, 48000);
    write_tone(wav / "p225/p225_002_mic1.flac", 0.1, 48000);
    write_tone(wav / "p280/p280_001_mic1.flac", 0.1, 48000);
    write_tone(wav / "p315/p315_001_mic1.flac", 0.1, 48000);
    write_tone(wav / "p315/p315_001_mic2.flac", 0.1, 48000);
    write_text(dir / "txt/p225/p225_001.txt", "Please call Stella.\n");
    write_text(dir / "txt/p225/p225_002.txt", "  Ask her to bring these things.  \nsecond line ignored\n");
    write_text(dir / "txt/p225/p225_003.txt", "No audio for this one.\n");
    write_text(dir / "txt/p280/p280_001.txt", "Please call Stella.\n");
    write_text(dir / "speaker-info.txt",
               "ID  AGE  GENDER  ACCENTS  REGION COMMENTS \n"
               "p225  23  F    English    Southern  England\n"
               "p280  25  F    French    Paris (mic2 files unavailable)\n"
               "p315  23  M    American    Connecticut  (Text missing)\n"
               "p999  41\n");
  }
  TempDir dir;
};

TEST_F(Vctk092, ReadsMic1ByDefault) {
  test::LogCapture log;
  const Corpus c = read_vctk(dir.path());
  EXPECT_EQ(ids(c), (Strings{"p225_001", "p225_002", "p280_001", "p315_001"}));
  EXPECT_EQ(c.find("p225_001")->source.path, (dir / "wav48_silence_trimmed/p225/p225_001_mic1.flac").string());
  EXPECT_EQ(c.find("p225_001")->speaker_id, "p225");
  EXPECT_EQ(c.find("p225_001")->transcript, "Please call Stella.");
  EXPECT_EQ(c.find("p225_002")->transcript, "Ask her to bring these things.");  // first line, trimmed
  EXPECT_FALSE(c.find("p315_001")->transcript.has_value());                     // p315 has no text: kept
  EXPECT_TRUE(log.contains("warning: VCTK: 1 utterances have audio but no text"));
  EXPECT_EQ(skips(c), (Strings{"p225_003: missing audio", "p999  41: malformed speaker-info.txt row"}));
}

TEST_F(Vctk092, Mic2ReportsSpeakersWithoutAudioOnce) {
  VctkOptions o;
  o.mic = "mic2";
  const Corpus c = read_vctk(dir.path(), o);
  EXPECT_EQ(ids(c), (Strings{"p225_001", "p315_001"}));
  EXPECT_EQ(c.find("p225_001")->source.path, (dir / "wav48_silence_trimmed/p225/p225_001_mic2.flac").string());
  EXPECT_EQ(skips(c), (Strings{"p225_002: missing audio", "p225_003: missing audio", "p280: speaker without audio",
                               "p999  41: malformed speaker-info.txt row"}));
  EXPECT_NE(test::find_skip(c, "p280")->reason.find("1 transcripts unused"), std::string::npos);
}

TEST_F(Vctk092, RequireTranscriptSkipsP315) {
  VctkOptions o;
  o.require_transcript = true;
  const Corpus c = read_vctk(dir.path(), o);
  EXPECT_EQ(ids(c), (Strings{"p225_001", "p225_002", "p280_001"}));
  ASSERT_NE(test::find_skip(c, "p315_001"), nullptr);
  EXPECT_EQ(test::find_skip(c, "p315_001")->reason.substr(0, 18), "missing transcript");
}

TEST_F(Vctk092, SpeakerInfoColumns) {
  const Corpus c = read_vctk(dir.path());
  EXPECT_EQ(test::speaker_keys(c), (Strings{"p225", "p280", "p315"}));
  const Speaker& p225 = c.speakers.at("p225");
  EXPECT_EQ(p225.sex, "F");
  EXPECT_EQ(p225.subset, "English");
  EXPECT_EQ(p225.metadata.at("age"), "23");
  EXPECT_EQ(p225.metadata.at("region"), "Southern England");  // several words
  EXPECT_EQ(p225.metadata.count("comments"), 0u);
  const Speaker& p315 = c.speakers.at("p315");
  EXPECT_EQ(p315.sex, "M");
  EXPECT_EQ(p315.metadata.at("region"), "Connecticut");
  EXPECT_EQ(p315.metadata.at("comments"), "(Text missing)");
}

TEST_F(Vctk092, UnexpectedAudioNamesAreCounted) {
  write_tone(dir / "wav48_silence_trimmed/p225/p225_extra_mic1.flac", 0.1);
  write_text(dir / "wav48_silence_trimmed/p225/readme.md", "not audio\n");  // ignored: not audio
  const Corpus c = read_vctk(dir.path());
  ASSERT_NE(test::find_skip(c, "p225_extra_mic1.flac"), nullptr);
  EXPECT_EQ(test::find_skip(c, "p225_extra_mic1.flac")->reason.substr(0, 20), "unexpected file name");
  EXPECT_EQ(c.skipped.size(), 3u);
}

TEST(Vctk, SpeakerRowVariants) {
  auto old = parse_vctk_speaker_row("225  23  F    English    Southern  England");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->id, "p225");  // older releases omit the p
  auto no_region = parse_vctk_speaker_row("p376  22  M  Indian");
  ASSERT_TRUE(no_region.has_value());
  EXPECT_EQ(no_region->id, "p376");
  EXPECT_EQ(no_region->metadata.count("region"), 0u);
  auto s5 = parse_vctk_speaker_row("s5  22  F  British  London");
  ASSERT_TRUE(s5.has_value());
  EXPECT_EQ(s5->id, "s5");
  EXPECT_EQ(s5->metadata.at("region"), "London");
  EXPECT_FALSE(parse_vctk_speaker_row("ID  AGE  GENDER  ACCENTS  REGION").has_value());
  EXPECT_FALSE(parse_vctk_speaker_row("").has_value());
  EXPECT_THROW(parse_vctk_speaker_row("p1 2 F"), InvalidArgument);
}

TEST(Vctk, OlderLayoutWithWav48) {
  TempDir dir;
  write_tone(dir / "wav48/p225/p225_001.wav", 0.1, 48000);
  write_text(dir / "txt/p225/p225_001.txt", "Please call Stella.\n");
  write_text(dir / "speaker-info.txt",
             "ID  AGE  GENDER  ACCENTS  REGION\n225  23  F    English    Southern  England\n");
  const Corpus c = read_vctk(dir.path());
  EXPECT_EQ(ids(c), (Strings{"p225_001"}));
  EXPECT_EQ(c.find("p225_001")->transcript, "Please call Stella.");
  EXPECT_EQ(c.speakers.at("p225").sex, "F");
  VctkOptions mic2;
  mic2.mic = "mic2";
  EXPECT_THROW(read_vctk(dir.path(), mic2), InvalidArgument);  // that release has one microphone
}

TEST(Vctk, NotAVctkRootIsAFileError) {
  TempDir dir;
  EXPECT_THROW(read_vctk(dir.path()), FileError);
  VctkOptions o;
  o.mic = "mic3";
  EXPECT_THROW(o.validate(), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::corpus
