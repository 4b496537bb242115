#include "speechleak/corpus/tsv_manifest.h"

#include <gtest/gtest.h>

#include "corpus/reader_test_helpers.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::corpus {
namespace {

using speechleak::testing::TempDir;
using speechleak::testing::write_text;
using speechleak::testing::write_tone;
using test::ids;
using Strings = std::vector<std::string>;

Utterance make(const std::string& id, const std::string& spk, AudioSource src) {
  Utterance u;
  u.id = id;
  u.speaker_id = spk;
  u.source = std::move(src);
  return u;
}

TEST(TsvManifest, RoundTripKeepsEveryField) {
  TempDir dir;
  write_tone(dir / "audio/a.wav", 0.3);
  write_tone(dir / "audio/b.wav", 0.3);
  Corpus c;
  c.utterances.push_back(make("u2", "s2", AudioSource::segment((dir / "audio/b.wav").string(), 0.1, 0.25)));
  c.utterances.push_back(make("u1", "s1", AudioSource::file((dir / "audio/a.wav").string())));
  c.utterances.push_back(make("u3", "s1", AudioSource::segment((dir / "audio/b.wav").string(), 0.05, -1)));
  c.utterances[0].transcript = "tab\there, newline\nthere, back\\slash";
  c.utterances[1].transcript = "HELLO";
  c.utterances[1].subset = "dev-clean";
  c.utterances[1].chapter_id = "134686";
  c.utterances[1].duration_s = 0.1 + 0.2;  // not exactly 0.3: must survive the text round trip
  c.utterances[1].source.channel = 1;
  c.speakers["s1"].sex = "F";
  c.finalize();
  ManifestExtras extras;
  extras.columns = {"member", "note"};
  extras.values["u1"] = {"1", "a\tb"};
  extras.values["u2"] = {"0", ""};
  const auto path = dir / "out/corpus.tsv";
  write_manifest(path, c, {}, &extras);

  ManifestExtras back_extras;
  const Corpus back = read_manifest(path, &back_extras);
  ASSERT_EQ(ids(back), (Strings{"u1", "u2", "u3"}));
  const Utterance& u1 = back.utterances[0];
  EXPECT_EQ(u1.speaker_id, "s1");
  EXPECT_EQ(u1.source.kind, AudioSource::Kind::File);
  EXPECT_EQ(u1.source.path, (dir / "audio/a.wav").string());
  EXPECT_EQ(u1.transcript, "HELLO");
  EXPECT_EQ(u1.subset, "dev-clean");
  EXPECT_EQ(u1.chapter_id, "134686");
  EXPECT_EQ(u1.duration_s, 0.1 + 0.2);
  EXPECT_EQ(u1.source.channel, 1);
  const Utterance& u2 = back.utterances[1];
  EXPECT_EQ(u2.source.kind, AudioSource::Kind::Segment);
  EXPECT_EQ(u2.source.start_s, 0.1);
  EXPECT_EQ(u2.source.end_s, 0.25);
  EXPECT_EQ(u2.transcript, "tab\there, newline\nthere, back\\slash");
  EXPECT_EQ(u2.duration_s, -1.0);
  EXPECT_EQ(u2.source.channel, -1);
  EXPECT_EQ(back.utterances[2].source.start_s, 0.05);
  EXPECT_EQ(back.utterances[2].source.end_s, -1.0);
  EXPECT_FALSE(back.utterances[2].transcript.has_value());
  EXPECT_EQ(back.speakers.at("s1").sex, "F");
  EXPECT_EQ(back.speakers.at("s2").sex, "");
  EXPECT_EQ(back_extras.columns, (Strings{"member", "note"}));
  EXPECT_EQ(back_extras.values.at("u1"), (Strings{"1", "a\tb"}));
  EXPECT_EQ(back_extras.values.at("u3"), (Strings{"", ""}));
  EXPECT_TRUE(back.skipped.empty());
}

TEST(TsvManifest, WritesOnlyUsedColumnsSortedAndEscaped) {
  TempDir dir;
  Corpus c;
  c.utterances.push_back(make("b", "s", AudioSource::file("/x/b.wav")));
  c.utterances.push_back(make("a", "s", AudioSource::file("/x/a.wav")));
  c.utterances[0].transcript = "x\ty";
  write_manifest(dir / "m.tsv", c);
  EXPECT_EQ(read_text_file(dir / "m.tsv"),
            "utt_id\tspeaker_id\tpath\ttranscript\n"
            "a\ts\t/x/a.wav\t\n"
            "b\ts\t/x/b.wav\tx\\ty\n");
}

TEST(TsvManifest, RelativePathsResolveAgainstTheManifestDirectory) {
  TempDir dir;
  write_tone(dir / "data/audio/a.wav", 0.1);
  write_text(dir / "data/m.tsv", "speaker_id\tutt_id\tpath\tsubset\nspk\tu1\taudio/a.wav\ttrain\n");
  const Corpus c = read_manifest(dir / "data/m.tsv");
  ASSERT_EQ(ids(c), (Strings{"u1"}));
  EXPECT_EQ(c.utterances[0].source.path, (dir / "data/audio/a.wav").string());
  EXPECT_EQ(c.utterances[0].subset, "train");
  ManifestWriteOptions rel;
  rel.relative_paths = true;
  write_manifest(dir / "data/copy.tsv", c, rel);
  EXPECT_EQ(read_text_file(dir / "data/copy.tsv"), "utt_id\tspeaker_id\tpath\tsubset\nu1\tspk\taudio/a.wav\ttrain\n");
  write_manifest(dir / "elsewhere/copy.tsv", c, rel);  // not under the manifest's directory: kept as is
  EXPECT_EQ(read_manifest(dir / "elsewhere/copy.tsv").utterances[0].source.path, c.utterances[0].source.path);
}

TEST(TsvManifest, MissingAudioIsSkippedAndCounted) {
  TempDir dir;
  write_tone(dir / "a.wav", 0.1);
  write_text(dir / "m.tsv", "utt_id\tspeaker_id\tpath\nu1\ts1\ta.wav\nu2\ts2\tgone.wav\n");
  const Corpus c = read_manifest(dir / "m.tsv");
  EXPECT_EQ(ids(c), (Strings{"u1"}));
  EXPECT_EQ(test::skips(c), (Strings{"u2: missing audio"}));
  EXPECT_EQ(test::find_skip(c, "u2")->where, (dir / "m.tsv").string() + ":3");
  EXPECT_EQ(test::speaker_keys(c), (Strings{"s1"}));
}

// The FormatError's problem for `content`, or "" when it reads.
std::string problem_of(const std::string& content) {
  TempDir dir;
  write_tone(dir / "a.wav", 0.1);
  write_text(dir / "m.tsv", content);
  try {
    read_manifest(dir / "m.tsv");
  } catch (const FormatError& e) {
    return e.problem();
  }
  return "";
}

TEST(TsvManifest, MalformedManifestsNameTheLineAndTheExpectation) {
  EXPECT_NE(problem_of("utt_id\tpath\nu1\ta.wav\n").find("line 1: missing required column 'speaker_id'"),
            std::string::npos);
  EXPECT_NE(problem_of("utt_id\tspeaker_id\tpath\tpath\n").find("duplicate column 'path'"), std::string::npos);
  EXPECT_NE(problem_of("utt_id\tspeaker_id\tpath\nu1\ts1\ta.wav\nu2\ts2\n")
                .find("line 3: expected 3 tab-separated fields (utt_id, speaker_id, path), got 2"),
            std::string::npos);
  EXPECT_NE(problem_of("utt_id\tspeaker_id\tpath\tstart\nu1\ts1\ta.wav\tsoon\n").find("line 2"), std::string::npos);
  EXPECT_NE(problem_of("utt_id\tspeaker_id\tpath\nu1\ts1\ta.wav\n\nu1\ts1\ta.wav\n")
                .find("line 4: duplicate utt_id 'u1' (first at line 2)"),
            std::string::npos);
  EXPECT_NE(problem_of("utt_id\tspeaker_id\tpath\n\ts1\ta.wav\n").find("line 2: empty utt_id"), std::string::npos);
  EXPECT_NE(problem_of("utt_id\tspeaker_id\tpath\tsex\nu1\ts1\ta.wav\tF\nu2\ts1\ta.wav\tM\n").find("contradicts"),
            std::string::npos);
  EXPECT_NE(problem_of("utt_id\tspeaker_id\tpath\tchannel\nu1\ts1\ta.wav\t1.5\n").find("line 2: channel"),
            std::string::npos);
  EXPECT_NE(problem_of("").find("empty file"), std::string::npos);
  EXPECT_EQ(problem_of("utt_id\tspeaker_id\tpath\nu1\ts1\ta.wav\n\n"), "");  // blank lines are fine
}

TEST(TsvManifest, WriteRefusesWhatItCannotRepresent) {
  TempDir dir;
  Corpus piped;
  piped.utterances.push_back(make("u1", "s1", AudioSource::piped("cat x.wav")));
  EXPECT_THROW(write_manifest(dir / "m.tsv", piped), InvalidArgument);
  Corpus tab;
  tab.utterances.push_back(make("u\t1", "s1", AudioSource::file("/x.wav")));
  EXPECT_THROW(write_manifest(dir / "m.tsv", tab), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir / "m.tsv"));  // nothing half-written
  Corpus ok;
  ok.utterances.push_back(make("u1", "s1", AudioSource::file("/x.wav")));
  ManifestExtras clash;
  clash.columns = {"transcript"};
  EXPECT_THROW(write_manifest(dir / "m.tsv", ok, {}, &clash), InvalidArgument);
}

TEST(TsvManifest, EscapingIsReversible) {
  const std::string s = "a\\b\tc\nd\re\\t";
  EXPECT_EQ(escape_tsv_field(s), "a\\\\b\\tc\\nd\\re\\\\t");
  EXPECT_EQ(unescape_tsv_field(escape_tsv_field(s)), s);
  EXPECT_EQ(unescape_tsv_field("C:\\data\\x"), "C:\\data\\x");  // unknown escapes stay as written
  EXPECT_EQ(unescape_tsv_field("end\\"), "end\\");
}

}  // namespace
}  // namespace speechleak::corpus
