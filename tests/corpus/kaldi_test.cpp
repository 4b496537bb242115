#include "speechleak/corpus/kaldi.h"

#include <gtest/gtest.h>

#include "corpus/reader_test_helpers.h"
#include "speechleak/audio/audio_error.h"
#include "speechleak/corpus/utterance_audio.h"
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

// A data dir as Kaldi's LibriSpeech recipe writes it (speaker = <reader>-<chapter>), one entry piped.
class KaldiDir : public ::testing::Test {
 protected:
  void SetUp() override {
    write_tone(dir / "audio/a.wav", 0.1);
    write_tone(dir / "audio/b.wav", 0.2);
    const auto a = (dir / "audio/a.wav").string(), b = (dir / "audio/b.wav").string();
    write_text(data / "wav.scp", "1089-134686-0000 " + a + "\n1089-134686-0001 cat " + b + " |\n121-55-0000 " +
                                     (dir / "audio/missing.wav").string() + "\n");
    write_text(data / "utt2spk",
               "1089-134686-0000 1089-134686\n1089-134686-0001 1089-134686\n121-55-0000 121-55\n"
               "121-55-0001 121-55\n");
    write_text(data / "text", "1089-134686-0000 HE HOPED THERE\n1089-134686-0001 STUFF IT\n999-1-0000 ORPHAN\n");
    write_text(data / "spk2gender", "1089-134686 m\n121-55 f\n");
  }
  Corpus read(bool allow_commands = false, bool readers = false) {
    KaldiOptions o;
    o.allow_commands = allow_commands;
    o.librispeech_readers = readers;
    return read_kaldi(data, o);
  }
  TempDir dir;
  std::filesystem::path data = dir / "data/train";
};

TEST_F(KaldiDir, RefusesPipedEntriesByDefault) {
  const Corpus c = read();
  EXPECT_EQ(ids(c), (Strings{"1089-134686-0000"}));
  const auto* refused = test::find_skip(c, "1089-134686-0001");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->reason, "piped wav.scp entry refused: pass allow_commands");
  EXPECT_EQ(skips(c), (Strings{"1089-134686-0001: piped wav.scp entry refused", "121-55-0000: missing audio",
                               "121-55-0001: missing recording", "999-1-0000: not in utt2spk"}));
}

// fuzz/regressions/kaldi: a path longer than the system allows (ENAMETOOLONG) threw filesystem_error out of the
// corpus loop; it is a missing file like any other.
TEST_F(KaldiDir, APathTooLongForTheSystemIsMissingAudio) {
  write_text(data / "wav.scp", "u1 " + (dir / "audio/a.wav").string() + "\nu2 /" + std::string(5000, 'x') + ".wav\n");
  write_text(data / "utt2spk", "u1 s1\nu2 s1\n");
  std::filesystem::remove(data / "text"), std::filesystem::remove(data / "spk2gender");
  const Corpus c = read();
  EXPECT_EQ(ids(c), (Strings{"u1"}));
  EXPECT_EQ(skips(c), (Strings{"u2: missing audio"}));
}

TEST_F(KaldiDir, ReadsFieldsOfPlainEntries) {
  const Corpus c = read();
  const Utterance* u = c.find("1089-134686-0000");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->speaker_id, "1089-134686");
  EXPECT_EQ(u->transcript, "HE HOPED THERE");
  EXPECT_EQ(u->source.kind, AudioSource::Kind::File);
  EXPECT_EQ(u->source.path, (dir / "audio/a.wav").string());
  EXPECT_EQ(c.speakers.at("1089-134686").sex, "M");
  EXPECT_EQ(c.speakers.count("121-55"), 0u);  // named in spk2gender only: no utterance left
}

TEST_F(KaldiDir, PipedEntriesWorkWithTheOptIn) {
  const Corpus c = read(true);
  EXPECT_EQ(ids(c), (Strings{"1089-134686-0000", "1089-134686-0001"}));
  const Utterance* u = c.find("1089-134686-0001");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->source.kind, AudioSource::Kind::Command);
  EXPECT_EQ(u->source.command, "cat " + (dir / "audio/b.wav").string());
  AudioPolicy policy;
  policy.allow_commands = true;
  const auto audio = load_utterance_audio(*u, {}, policy);
  EXPECT_EQ(audio.sample_rate, 16000);
  EXPECT_EQ(audio.samples.size(), 3200u);                                        // b.wav is 0.2 s
  EXPECT_THROW(load_utterance_audio(*u, {}, AudioPolicy{}), audio::AudioError);  // the policy must opt in too
}

TEST_F(KaldiDir, LibriSpeechReadersMapsChaptersToReaders) {
  const Corpus c = read(false, true);
  const Utterance* u = c.find("1089-134686-0000");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->speaker_id, "1089");
  EXPECT_EQ(u->chapter_id, "134686");
  EXPECT_EQ(test::speaker_keys(c), (Strings{"1089"}));
  EXPECT_EQ(c.speakers.at("1089").sex, "M");
}

TEST_F(KaldiDir, LibriSpeechReadersSkipsSpeakersWithoutChapter) {
  write_text(data / "utt2spk", "1089-134686-0000 1089\n");
  const Corpus c = read(false, true);
  EXPECT_TRUE(c.utterances.empty());
  ASSERT_NE(test::find_skip(c, "1089-134686-0000"), nullptr);
  EXPECT_EQ(test::find_skip(c, "1089-134686-0000")->reason.substr(0, 34), "speaker not <reader>-<chapter>: '1");
}

TEST_F(KaldiDir, MissingTextKeepsUtterancesWithoutTranscriptAndWarns) {
  write_text(data / "text", "1089-134686-0001 STUFF IT\n");
  test::LogCapture log;
  const Corpus c = read();
  EXPECT_FALSE(c.find("1089-134686-0000")->transcript.has_value());
  EXPECT_TRUE(log.contains("1 utterances"));
  std::filesystem::remove(data / "text");
  test::LogCapture quiet;
  const Corpus c2 = read();
  EXPECT_FALSE(c2.find("1089-134686-0000")->transcript.has_value());
  EXPECT_FALSE(quiet.contains("not in text"));
}

TEST_F(KaldiDir, MalformedLinesAreFormatErrorsWithTheLine) {
  write_text(data / "utt2spk", "1089-134686-0000 1089-134686\n1089-134686-0001\n");
  try {
    read();
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), data / "utt2spk");
    EXPECT_NE(e.problem().find("line 2"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("<utt-id> <speaker-id>"), std::string::npos) << e.what();
  }
  write_text(data / "utt2spk", "u1 s1\nu1 s2\n");
  EXPECT_THROW(read(), FormatError);  // duplicate key
  write_text(data / "utt2spk", "u1 s1 extra\n");
  EXPECT_THROW(read(), FormatError);
  write_text(data / "utt2spk", "1089-134686-0000 1089-134686\n");
  write_text(data / "spk2gender", "1089-134686 x\n");
  EXPECT_THROW(read(), FormatError);
}

TEST_F(KaldiDir, MissingRequiredFilesAreFileErrors) {
  std::filesystem::remove(data / "utt2spk");
  EXPECT_THROW(read(), FileError);
  EXPECT_THROW(read_kaldi(dir / "no/such/dir"), FileError);
}

TEST(Kaldi, SegmentsCutRecordings) {
  TempDir dir;
  write_tone(dir / "rec.wav", 0.5);
  const auto data = dir / "data";
  write_text(data / "wav.scp", "rec1 " + (dir / "rec.wav").string() + "\n");
  write_text(data / "segments", "u1 rec1 0.0 0.2\nu2 rec1 0.2 -1\nu3 recX 0 1\nu5 rec1 0.3 0.1\nzz rec1 0 0.1\n");
  write_text(data / "utt2spk", "u1 s1\nu2 s1\nu3 s1\nu4 s1\nu5 s1\n");
  write_text(data / "utt2dur", "u2 0.3\n");
  const Corpus c = read_kaldi(data);
  EXPECT_EQ(ids(c), (Strings{"u1", "u2"}));
  const Utterance* u1 = c.find("u1");
  EXPECT_EQ(u1->source.kind, AudioSource::Kind::Segment);
  EXPECT_DOUBLE_EQ(u1->source.start_s, 0.0);
  EXPECT_DOUBLE_EQ(u1->source.end_s, 0.2);
  EXPECT_DOUBLE_EQ(u1->duration_s, 0.2);
  EXPECT_DOUBLE_EQ(c.find("u2")->source.end_s, -1.0);
  EXPECT_DOUBLE_EQ(c.find("u2")->duration_s, 0.3);  // from utt2dur
  EXPECT_EQ(skips(c),
            (Strings{"u3: missing recording", "u4: missing segment", "u5: bad segment", "zz: not in utt2spk"}));
  EXPECT_EQ(load_utterance_audio(*u1).samples.size(), 3200u);
  EXPECT_EQ(load_utterance_audio(*c.find("u2")).samples.size(), 4800u);
  write_text(data / "segments", "u1 rec1 0.0 abc\n");
  EXPECT_THROW(read_kaldi(data), FormatError);
}

TEST(Kaldi, Helpers) {
  EXPECT_EQ(split_librispeech_speaker("1089-134686"), std::make_pair(std::string("1089"), std::string("134686")));
  EXPECT_FALSE(split_librispeech_speaker("1089").has_value());
  EXPECT_FALSE(split_librispeech_speaker("-1").has_value());
  EXPECT_FALSE(split_librispeech_speaker("1-").has_value());
  EXPECT_EQ(wav_scp_command("flac -c -d -s /x.flac |"), "flac -c -d -s /x.flac");
  EXPECT_EQ(wav_scp_command("sox a.wav -t wav - |  "), "sox a.wav -t wav -");
  EXPECT_FALSE(wav_scp_command("/data/a.wav").has_value());
}

}  // namespace
}  // namespace speechleak::corpus
