#include "speechleak/corpus/load.h"

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
using Strings = std::vector<std::string>;

class LoadTree : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string spk : {"1", "2", "3"})
      for (const std::string n : {"0000", "0001", "0002"}) {
        const std::string id = spk + "-10-" + n;
        write_tone(dir / ("dev-clean/" + spk + "/10/" + id + ".flac"), 0.1);
        transcripts[spk] += id + " WORD " + n + "\n";
      }
    for (const auto& [spk, text] : transcripts)
      write_text(dir / ("dev-clean/" + spk + "/10/" + spk + "-10.trans.txt"), text);
  }
  std::string root() const { return dir.path().string(); }
  TempDir dir;
  std::map<std::string, std::string> transcripts;
};

TEST_F(LoadTree, ReadsFiltersAndRecordsTheCanonicalSpec) {
  std::vector<std::string> stages;
  const Corpus c = load_corpus(CorpusSpec::parse("librispeech:" + root() + ":dev-clean?max_speakers=2&seed=4"),
                               [&](const Progress& p) { stages.push_back(p.stage); });
  EXPECT_EQ(c.speaker_ids().size(), 2u);
  EXPECT_EQ(c.utterances.size(), 6u);
  EXPECT_EQ(c.spec, "librispeech:" + root() + ":dev-clean?max_speakers=2&seed=4");
  ASSERT_FALSE(stages.empty());
  EXPECT_EQ(stages.front(), "read corpus");
}

TEST_F(LoadTree, AttachesAlignments) {
  write_text(dir / "align/words.ctm", "1-10-0000 1 0.00 0.05 WORD\n1-10-0000 1 0.05 0.04 0000\n");
  const Corpus c =
      load_corpus(CorpusSpec::parse("librispeech:" + root() + ":dev-clean?alignments=" + root() + "/align"));
  const Utterance* u = c.find("1-10-0000");
  ASSERT_NE(u, nullptr);
  ASSERT_TRUE(u->alignment.has_value());
  ASSERT_EQ(u->alignment->size(), 2u);
  EXPECT_EQ((*u->alignment)[1].word, "0000");
  EXPECT_NEAR((*u->alignment)[1].end_s, 0.09, 1e-9);
  EXPECT_FALSE(c.find("1-10-0001")->alignment.has_value());
}

TEST_F(LoadTree, NothingLeftIsAnErrorWithTheSummary) {
  try {
    load_corpus(CorpusSpec::parse("librispeech:" + root() + ":dev-clean?min_duration=5"));
    FAIL() << "expected speechleak::Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no readable utterances"), std::string::npos) << what;
    EXPECT_NE(what.find("min_duration=5"), std::string::npos) << what;
    EXPECT_NE(what.find("kept 0 of 9 utterances"), std::string::npos) << what;
  }
  TempDir empty;
  write_text(empty / "m.tsv", "utt_id\tspeaker_id\tpath\nu1\ts1\tgone.wav\n");
  try {
    load_corpus(CorpusSpec::parse("manifest:" + (empty / "m.tsv").string()));
    FAIL() << "expected speechleak::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0 of 1 utterances read; 1 skipped (1 missing audio)"), std::string::npos)
        << e.what();
  }
}

TEST_F(LoadTree, DispatchesEveryFormat) {
  write_text(dir / "m.tsv", "utt_id\tspeaker_id\tpath\nx\ty\tdev-clean/1/10/1-10-0000.flac\n");
  EXPECT_EQ(ids(load_corpus(CorpusSpec::parse("manifest:" + root() + "/m.tsv"))), (Strings{"x"}));
  write_text(dir / "f.tsv", root() + "\ndev-clean/2/10/2-10-0001.flac\t1600\n");
  EXPECT_EQ(ids(load_corpus(CorpusSpec::parse("fairseq:" + root() + "/f.tsv"))), (Strings{"2-10-0001"}));
  write_text(dir / "kaldi/wav.scp", "r1 " + root() + "/dev-clean/3/10/3-10-0002.flac\n");
  write_text(dir / "kaldi/utt2spk", "r1 3-10\n");
  const auto k = load_corpus(CorpusSpec::parse("kaldi:" + root() + "/kaldi?librispeech_readers=1"));
  EXPECT_EQ(k.utterances.at(0).speaker_id, "3");
  write_tone(dir / "vctk/wav48_silence_trimmed/p1/p1_001_mic1.flac", 0.1);
  EXPECT_EQ(ids(load_corpus(CorpusSpec::parse("vctk:" + root() + "/vctk"))), (Strings{"p1_001"}));
  EXPECT_THROW(load_corpus(CorpusSpec::parse("librispeech:" + root() + ":test-clean")), FileError);
}

TEST(Load, AudioPolicyFollowsTheSpec) {
  EXPECT_TRUE(audio_policy(CorpusSpec::parse("kaldi:/k?allow_commands=1")).allow_commands);
  EXPECT_FALSE(audio_policy(CorpusSpec::parse("kaldi:/k")).allow_commands);
  EXPECT_FALSE(audio_policy(CorpusSpec::parse("manifest:/m.tsv")).allow_commands);
}

}  // namespace
}  // namespace speechleak::corpus
