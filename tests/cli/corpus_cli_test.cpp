#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
using testing::TempDir;

// A LibriSpeech tree with 2 speakers, 3 utterances (one 0.5 s, two 1 s), one transcript line without audio.
void write_tree(const std::filesystem::path& root) {
  testing::write_text(root / "SPEAKERS.TXT",
                      "; comment\n19 | F | dev-clean | 1.0 | Ann\n60   | M | dev-clean  | 20.18 | |CBW|Simon\n");
  testing::write_tone(root / "dev-clean/19/198/19-198-0000.flac", 0.5);
  testing::write_tone(root / "dev-clean/19/198/19-198-0001.flac", 1.0);
  testing::write_tone(root / "dev-clean/60/121/60-121-0000.flac", 1.0);
  testing::write_text(root / "dev-clean/19/198/19-198.trans.txt",
                      "19-198-0000 HELLO ANN\n19-198-0001 GOOD MORNING\n19-198-0002 NO AUDIO HERE\n");
  testing::write_text(root / "dev-clean/60/121/60-121.trans.txt", "60-121-0000 HI SIMON\n");
}

std::string cli() { return SPEECHLEAK_CLI_PATH; }

TEST(CorpusCli, StatsCountsUtterancesSpeakersHoursAndSkips) {
  TempDir dir;
  write_tree(dir / "LS");
  std::string out;
  ASSERT_EQ(testing::run_command(cli() + " -q corpus stats --json 'librispeech:" + (dir / "LS").string() +
                                     ":dev-clean' 2>/dev/null",
                                 &out),
            0)
      << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["utterances"], 3);
  EXPECT_EQ(j["speakers"], 2);
  EXPECT_NEAR(j["hours"].get<double>(), 2.5 / 3600, 1e-6);
  EXPECT_EQ(j["subsets"]["dev-clean"]["utterances"], 3);
  EXPECT_EQ(j["skipped"], 1);
  EXPECT_EQ(j["skipped_by_reason"]["missing audio"], 1);

  ASSERT_EQ(testing::run_command(cli() + " corpus stats 'librispeech:" + (dir / "LS").string() + ":dev-clean'", &out), 0);
  EXPECT_NE(out.find("3 of 4 utterances read; 1 skipped (1 missing audio)"), std::string::npos) << out;
}

TEST(CorpusCli, ExportWritesAManifestThatReadsBack) {
  TempDir dir;
  write_tree(dir / "LS");
  const auto tsv = dir / "out/ls.tsv";
  std::string out;
  ASSERT_EQ(testing::run_command(cli() + " -q corpus export 'librispeech:" + (dir / "LS").string() +
                                     ":dev-clean?max_speakers=1&seed=2' --out " + tsv.string(),
                                 &out),
            0)
      << out;
  auto lines = read_lines(tsv);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].substr(0, 23), "utt_id\tspeaker_id\tpath\t");
  ASSERT_EQ(testing::run_command(cli() + " -q corpus stats --json manifest:" + tsv.string(), &out), 0) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["speakers"], 1);
  EXPECT_EQ(j["utterances"], lines.size() - 1);
}

TEST(CorpusCli, BadSpecsAndMissingDirectoriesFailWithAMessage) {
  TempDir dir;
  std::string out;
  EXPECT_EQ(testing::run_command(cli() + " corpus stats 'nosuchformat:/x'", &out), 1);
  EXPECT_NE(out.find("nosuchformat"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(testing::run_command(cli() + " corpus stats 'librispeech:" + (dir / "none").string() + ":dev-clean'", &out), 1);
  EXPECT_NE(out.find((dir / "none").string()), std::string::npos) << out;
  EXPECT_NE(testing::run_command(cli() + " corpus", &out), 0);
}

}  // namespace
}  // namespace speechleak
