#include "speechleak/corpus/librispeech.h"

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

// A LibriSpeech tree with every irregularity the reader must handle.
class LibriSpeechTree : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto root = dir.path();
    write_text(root / "SPEAKERS.TXT",
               "; LibriSpeech speakers\n"
               ";ID  |SEX| SUBSET           |MINUTES| NAME\n"
               "14   | F | train-clean-360  | 25.03 | Kristin LeMoine\n"
               "60   | M | train-clean-100  | 20.18 | |CBW|Simon\n"
               "1089 | M | test-clean       | 25.02 | Dave Foss\n"
               "this row has no pipes\n");
    const auto ch60 = root / "train-clean-100/60/121082";
    write_tone(ch60 / "60-121082-0000.flac", 0.1);
    write_tone(ch60 / "60-121082-0001.flac", 0.1);
    write_tone(ch60 / "notes.flac", 0.1);
    write_text(ch60 / "60-121082.trans.txt",
               "60-121082-0000 FIRST LINE\n60-121082-0001 SECOND  LINE WITH  SPACES \n60-121082-0002 NO AUDIO\n");
    const auto ch1089 = root / "dev-clean/1089/134686";
    write_tone(ch1089 / "1089-134686-0000.flac", 0.1);
    write_tone(ch1089 / "1089-134686-0001.flac", 0.1);
    write_text(ch1089 / "1089-134686.trans.txt", "1089-134686-0000 HE HOPED\n1089-134686-0005\n");
    write_tone(root / "dev-clean/1089/134691/1089-134691-0000.flac", 0.1);  // chapter without trans.txt
    write_tone(root / "dev-clean/9999/1/9999-1-0000.flac", 0.1);            // reader not in SPEAKERS.TXT
    write_text(root / "dev-clean/9999/1/9999-1.trans.txt", "9999-1-0000 UNKNOWN READER\n");
  }

  Corpus read(std::vector<std::string> subsets, bool require_transcript = false) {
    LibriSpeechOptions o;
    o.subsets = std::move(subsets);
    o.require_transcript = require_transcript;
    return read_librispeech(dir.path(), o);
  }

  TempDir dir;
};

TEST_F(LibriSpeechTree, ReadsUtterancesOfTheRequestedSubsets) {
  const Corpus c = read({"train-clean-100", "dev-clean"});
  EXPECT_EQ(ids(c), (std::vector<std::string>{"1089-134686-0000", "1089-134686-0001", "1089-134691-0000",
                                              "60-121082-0000", "60-121082-0001", "9999-1-0000"}));
  const Utterance* u = c.find("60-121082-0001");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->speaker_id, "60");
  EXPECT_EQ(u->chapter_id, "121082");
  EXPECT_EQ(u->subset, "train-clean-100");
  EXPECT_EQ(u->transcript, "SECOND  LINE WITH  SPACES");  // split on the first space only, trimmed
  EXPECT_EQ(u->source.kind, AudioSource::Kind::File);
  EXPECT_EQ(u->source.path, (dir.path() / "train-clean-100/60/121082/60-121082-0001.flac").string());
  EXPECT_EQ(c.find("1089-134686-0000")->subset, "dev-clean");
  EXPECT_EQ(c.find("1089-134686-0000")->transcript, "HE HOPED");
}

TEST_F(LibriSpeechTree, KeepsAudioWithoutTranscriptAndWarnsWithTheCount) {
  test::LogCapture log;
  const Corpus c = read({"dev-clean"});
  EXPECT_FALSE(c.find("1089-134686-0001")->transcript.has_value());  // no line in its trans.txt
  EXPECT_FALSE(c.find("1089-134691-0000")->transcript.has_value());  // no trans.txt at all
  EXPECT_TRUE(c.find("9999-1-0000")->transcript.has_value());
  EXPECT_TRUE(log.contains("warning: LibriSpeech: 2 utterances have audio but no transcript line"));
}

TEST_F(LibriSpeechTree, RequireTranscriptSkipsAudioWithoutOne) {
  const Corpus c = read({"dev-clean"}, true);
  EXPECT_EQ(ids(c), (std::vector<std::string>{"1089-134686-0000", "9999-1-0000"}));
  EXPECT_EQ(skips(c),
            (std::vector<std::string>{
                "1089-134686-0001: missing transcript", "1089-134686-0005: malformed transcript line",
                "1089-134691-0000: missing transcript", "this row has no pipes: malformed SPEAKERS.TXT row"}));
}

TEST_F(LibriSpeechTree, CountsEveryUnusableItemWithAReason) {
  const Corpus c = read({"train-clean-100", "dev-clean"});
  EXPECT_EQ(skips(c), (std::vector<std::string>{"1089-134686-0005: malformed transcript line",
                                                "60-121082-0002: missing audio", "notes: unexpected file name",
                                                "this row has no pipes: malformed SPEAKERS.TXT row"}));
  const auto* missing = test::find_skip(c, "60-121082-0002");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->where, (dir.path() / "train-clean-100/60/121082/60-121082.trans.txt").string() + ":3");
  const auto* row = test::find_skip(c, "this row has no pipes");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->where, (dir.path() / "SPEAKERS.TXT").string() + ":6");
}

TEST_F(LibriSpeechTree, FillsSpeakerMetadataFromSpeakersTxt) {
  const Corpus c = read({"train-clean-100", "dev-clean"});
  EXPECT_EQ(test::speaker_keys(c), (std::vector<std::string>{"1089", "60", "9999"}));  // not 14: no utterances
  const Speaker& s60 = c.speakers.at("60");
  EXPECT_EQ(s60.id, "60");
  EXPECT_EQ(s60.sex, "M");
  EXPECT_EQ(s60.subset, "train-clean-100");
  EXPECT_EQ(s60.name, "|CBW|Simon");
  EXPECT_EQ(s60.metadata.at("minutes"), "20.18");
  EXPECT_EQ(c.speakers.at("1089").name, "Dave Foss");
  EXPECT_EQ(c.speakers.at("1089").subset, "test-clean");  // the SPEAKERS.TXT column, as written
  EXPECT_EQ(c.speakers.at("9999").sex, "");
}

TEST_F(LibriSpeechTree, ReadsOnlyTheSubsetsAsked) {
  const Corpus c = read({"train-clean-100"});
  EXPECT_EQ(ids(c), (std::vector<std::string>{"60-121082-0000", "60-121082-0001"}));
  EXPECT_EQ(test::speaker_keys(c), (std::vector<std::string>{"60"}));
}

TEST_F(LibriSpeechTree, MissingSubsetIsAFileErrorNamingThePath) {
  try {
    read({"dev-clean", "train-other-500"});
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_EQ(e.path(), dir.path() / "train-other-500");
    EXPECT_NE(std::string(e.what()).find("subset directory does not exist"), std::string::npos);
  }
}

TEST_F(LibriSpeechTree, WorksWithoutSpeakersTxt) {
  std::filesystem::remove(dir.path() / "SPEAKERS.TXT");
  const Corpus c = read({"train-clean-100"});
  EXPECT_EQ(c.utterances.size(), 2u);
  EXPECT_EQ(c.speakers.at("60").name, "");
  EXPECT_EQ(skips(c), (std::vector<std::string>{"60-121082-0002: missing audio", "notes: unexpected file name"}));
}

TEST(LibriSpeechOptions, ValidateRejectsBadSubsetLists) {
  LibriSpeechOptions o;
  EXPECT_THROW(o.validate(), InvalidArgument);  // none
  o.subsets = {"dev-clean", "dev-clean"};
  EXPECT_THROW(o.validate(), InvalidArgument);
  o.subsets = {"a/b"};
  EXPECT_THROW(o.validate(), InvalidArgument);
  o.subsets = {"dev-clean"};
  o.audio_extension = "flac";
  EXPECT_THROW(o.validate(), InvalidArgument);
  o.audio_extension = ".wav";
  EXPECT_NO_THROW(o.validate());
  EXPECT_EQ(o.to_string(), "subsets=dev-clean audio_extension=.wav require_transcript=false");
}

TEST(LibriSpeechSpeakerRow, SplitsIntoAtMostFiveFields) {
  auto s = parse_librispeech_speaker_row("60   | M | train-clean-100  | 20.18 | |CBW|Simon");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->id, "60");
  EXPECT_EQ(s->name, "|CBW|Simon");
  EXPECT_FALSE(parse_librispeech_speaker_row("; comment | with | pipes | x | y").has_value());
  EXPECT_FALSE(parse_librispeech_speaker_row("   ").has_value());
  EXPECT_THROW(parse_librispeech_speaker_row("60 | M | dev-clean"), InvalidArgument);
  EXPECT_THROW(parse_librispeech_speaker_row(" | M | dev-clean | 1 | x"), InvalidArgument);
}

TEST(LibriSpeech, ConvertedWavCopiesWithExtensionOption) {
  TempDir dir;
  write_tone(dir / "dev-clean/1/2/1-2-0000.wav", 0.1);
  write_tone(dir / "dev-clean/1/2/1-2-0001.flac", 0.1);  // not the chosen extension: ignored
  write_text(dir / "dev-clean/1/2/1-2.trans.txt", "1-2-0000 A\n");
  LibriSpeechOptions o;
  o.subsets = {"dev-clean"};
  o.audio_extension = ".wav";
  const Corpus c = read_librispeech(dir.path(), o);
  EXPECT_EQ(ids(c), (std::vector<std::string>{"1-2-0000"}));
  EXPECT_TRUE(c.skipped.empty());
}

}  // namespace
}  // namespace speechleak::corpus
