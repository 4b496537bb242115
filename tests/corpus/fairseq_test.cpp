#include "speechleak/corpus/fairseq.h"

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

class FairseqManifest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = dir / "LibriSpeech";
    write_tone(root / "dev-clean/1089/134686/1089-134686-0000.flac", 0.1);
    write_tone(root / "dev-clean/1089/134686/1089-134686-0001.flac", 0.1);
    write_tone(root / "dev-clean/121/55/121-55-0000.flac", 0.1);
    tsv = dir / "manifests/valid.tsv";
    write_text(tsv, root.string() + "\n" +
                        "dev-clean/1089/134686/1089-134686-0000.flac\t1600\n"
                        "dev-clean/1089/134686/1089-134686-0001.flac\t24000\n"
                        "dev-clean/121/55/121-55-0000.flac\t1600\n"
                        "dev-clean/121/55/121-55-0009.flac\t1600\n");
  }
  TempDir dir;
  std::filesystem::path root, tsv;
};

TEST_F(FairseqManifest, ReadsRowsWithLibriSpeechConventions) {
  write_text(dir / "manifests/valid.wrd", "HE HOPED\nSTUFF IT\nYOU\nGONE\n");
  const Corpus c = read_fairseq(tsv);
  EXPECT_EQ(ids(c), (Strings{"1089-134686-0000", "1089-134686-0001", "121-55-0000"}));
  const Utterance* u = c.find("1089-134686-0001");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->speaker_id, "1089");
  EXPECT_EQ(u->chapter_id, "134686");
  EXPECT_EQ(u->subset, "dev-clean");
  EXPECT_EQ(u->transcript, "STUFF IT");
  EXPECT_DOUBLE_EQ(u->duration_s, 1.5);  // 24000 / 16000
  EXPECT_EQ(u->source.path, (root / "dev-clean/1089/134686/1089-134686-0001.flac").string());
  EXPECT_EQ(c.find("121-55-0000")->transcript, "YOU");  // labels stay aligned past the skipped row
  EXPECT_EQ(skips(c), (Strings{"121-55-0009: missing audio"}));
  EXPECT_EQ(test::find_skip(c, "121-55-0009")->where, tsv.string() + ":5");
}

TEST_F(FairseqManifest, LetterLabelsWhenThereAreNoWords) {
  write_text(dir / "manifests/valid.ltr", "H E | H O P E D |\nS T U F F | I T |\nY O U |\nG O N E |\n");
  const Corpus c = read_fairseq(tsv);
  EXPECT_EQ(c.find("1089-134686-0000")->transcript, "HE HOPED");
  write_text(dir / "manifests/valid.wrd", "A\nB\nC\nD\n");  // .wrd wins when both exist
  EXPECT_EQ(read_fairseq(tsv).find("1089-134686-0000")->transcript, "A");
}

TEST_F(FairseqManifest, NoLabelsMeansNoTranscripts) {
  const Corpus c = read_fairseq(tsv);
  EXPECT_FALSE(c.find("1089-134686-0000")->transcript.has_value());
}

TEST_F(FairseqManifest, LabelLineCountMustMatch) {
  write_text(dir / "manifests/valid.wrd", "HE HOPED\nSTUFF IT\n");
  try {
    read_fairseq(tsv);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), dir / "manifests/valid.wrd");
    EXPECT_NE(e.problem().find("has 2 lines"), std::string::npos) << e.what();
  }
}

TEST_F(FairseqManifest, MalformedRowsAreFormatErrors) {
  write_text(tsv, root.string() + "\na.flac\t100\nb.flac 100\n");
  try {
    read_fairseq(tsv);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(e.problem().find("line 3"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("<relative-path>\\t<num-samples>"), std::string::npos) << e.what();
  }
  write_text(tsv, root.string() + "\na.flac\tmany\n");
  EXPECT_THROW(read_fairseq(tsv), FormatError);
  write_text(tsv, root.string() + "\na.flac\t-5\n");
  EXPECT_THROW(read_fairseq(tsv), FormatError);
  write_text(tsv, "\na.flac\t5\n");
  EXPECT_THROW(read_fairseq(tsv), FormatError);  // no root line
  EXPECT_THROW(read_fairseq(dir / "absent.tsv"), FileError);
}

TEST(Fairseq, IdRuleFallsBackToPathsWhenStemsCollide) {
  TempDir dir;
  write_tone(dir / "a/spk1/x.wav", 0.1);
  write_tone(dir / "b/spk2/x.wav", 0.1);
  const auto tsv = dir / "m.tsv";
  write_text(tsv, dir.path().string() + "\na/spk1/x.wav\t1600\nb/spk2/x.wav\t1600\n");
  FairseqOptions o;
  o.speaker_rule = "parent";
  const Corpus c = read_fairseq(tsv, o);
  EXPECT_EQ(ids(c), (Strings{"a-spk1-x", "b-spk2-x"}));
  EXPECT_EQ(c.find("a-spk1-x")->speaker_id, "spk1");
  o.id_rule = "stem";
  EXPECT_THROW(read_fairseq(tsv, o), FormatError);  // forced stems collide: duplicate utterance id
}

TEST(Fairseq, SpeakerRules) {
  TempDir dir;
  write_tone(dir / "p225/p225_001.wav", 0.1);
  write_tone(dir / "top.wav", 0.1);
  const auto tsv = dir / "m.tsv";
  write_text(tsv, dir.path().string() + "\np225/p225_001.wav\t1600\ntop.wav\t1600\n");
  FairseqOptions o;
  o.id_rule = "path";
  const Corpus lib = read_fairseq(tsv, o);  // librispeech rule: needs <speaker>/<chapter>/<file>
  EXPECT_TRUE(lib.utterances.empty());
  EXPECT_EQ(skips(lib), (Strings{"p225-p225_001: cannot derive speaker", "top: cannot derive speaker"}));
  o.speaker_rule = "parent";
  const Corpus parent = read_fairseq(tsv, o);
  EXPECT_EQ(ids(parent), (Strings{"p225-p225_001"}));
  EXPECT_EQ(parent.find("p225-p225_001")->speaker_id, "p225");
  o.speaker_rule = "prefix";
  o.sample_rate = 8000;
  const Corpus prefix = read_fairseq(tsv, o);
  EXPECT_EQ(ids(prefix), (Strings{"p225-p225_001"}));  // "top" has no '-' or '_'
  EXPECT_EQ(prefix.find("p225-p225_001")->speaker_id, "p225");
  EXPECT_DOUBLE_EQ(prefix.find("p225-p225_001")->duration_s, 0.2);
}

TEST(Fairseq, OptionsAndLetters) {
  FairseqOptions o;
  o.speaker_rule = "grandparent";
  EXPECT_THROW(o.validate(), InvalidArgument);
  o = {};
  o.id_rule = "x";
  EXPECT_THROW(o.validate(), InvalidArgument);
  o = {};
  o.sample_rate = 0;
  EXPECT_THROW(o.validate(), InvalidArgument);
  EXPECT_EQ(FairseqOptions{}.to_string(), "speaker_rule=librispeech id_rule=auto sample_rate=16000");
  EXPECT_EQ(letters_to_words("H E L L O | W O R L D |"), "HELLO WORLD");
  EXPECT_EQ(letters_to_words("| A |  | B"), "A B");
  EXPECT_EQ(letters_to_words(""), "");
}

}  // namespace
}  // namespace speechleak::corpus
