#include <gtest/gtest.h>

#include <chrono>

#include "cli/cli_test_util.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

const fs::path& kModel = testing::kFixtureModel;

std::map<std::string, std::string> files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename()] = read_text_file(e.path());
  return out;
}

// 4 speakers x 12 utterances of 1-2 s: a few seconds of extraction for the fixture model.
std::string make_corpus(const fs::path& root) {
  return "'librispeech:" + testing::write_tone_librispeech(root, "s", 1, 4, 12).string() + ":s'";
}

// kill -9 at several moments, then a run to the end: the store must hold exactly the bytes of an uninterrupted run.
TEST(ExtractCli, KilledRunsResumeToAnIdenticalStore) {
  TempDir dir;
  const std::string spec = make_corpus(dir / "LS");
  const std::string cmd = std::string(SPEECHLEAK_CLI_PATH) + " -q extract --threads 1 --model " + kModel.string() +
                          " --corpus " + spec + " --frames --max-batch-seconds 4 --out ";
  std::string out;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(testing::run_command(cmd + (dir / "reference").string(), &out), 0) << out;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto reference = files(dir / "reference");
  ASSERT_EQ(reference.count("index-0-of-1.jsonl"), 1u);

  const auto store = (dir / "killed").string();
  int killed = 0;
  // Kill points spread over the reference run's duration (start-up included), so the test adapts to the machine.
  // Under parallel tests the reference run can be slowed more than the later ones, which then finish before any
  // kill: start again on a fresh store with the kill points moved earlier.
  for (double scale = 1; killed == 0 && scale > 0.1; scale /= 2) {
    std::filesystem::remove_all(store);
    for (double f : {0.35, 0.5, 0.6, 0.7, 0.8, 0.9}) {
      const std::string limit = std::to_string(f * scale * seconds);
      killed += testing::run_command("timeout -s KILL " + limit + " " + cmd + store, &out) == 137 ? 1 : 0;
    }
  }
  ASSERT_EQ(testing::run_command(cmd + store, &out), 0) << out;
  EXPECT_EQ(files(store), reference) << "after " << killed << " killed runs";
  EXPECT_GT(killed, 0) << "no run was killed: the corpus is too small to test interruption";
}

TEST(ExtractCli, ReportsSkippedFilesAndRefusesAMismatchedStore) {
  TempDir dir;
  const std::string spec = make_corpus(dir / "LS");
  testing::write_text(dir / "LS/s/1/3/1-3-9999.flac", "not audio");
  testing::write_text(dir / "LS/s/1/3/1-3.trans.txt", read_text_file(dir / "LS/s/1/3/1-3.trans.txt") + "1-3-9999 X\n");
  const std::string base = std::string(SPEECHLEAK_CLI_PATH) + " extract --model " + kModel.string() + " --corpus " +
                           spec + " --out " + (dir / "st").string();
  std::string out;
  ASSERT_EQ(testing::run_command(base, &out), 0) << out;
  EXPECT_NE(out.find("48 of 49 utterances in the store; 1 skipped (1 unreadable)"), std::string::npos) << out;
  EXPECT_NE(out.find("1-3-9999.flac"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(testing::run_command(base + " --layers 1", &out), 1);
  EXPECT_NE(out.find("layers: stored '[2]', requested '[1]'"), std::string::npos) << out;
}

// A hidden state the model lacks is refused before the corpus is read: the corpus here does not even exist.
// WavLM loads through the same commands as the other families: a sharded large-layout checkpoint is described by
// `model info` and extracted into a store (its states against the Python reference: tests/encoder/parity_test.cpp).
TEST(ExtractCli, AWavLMCheckpointIsDescribedAndExtractedLikeAnyOther) {
  TempDir dir;
  const auto wavlm = fs::path(SPEECHLEAK_SOURCE_DIR) / "tests/fixtures/encoder/f_wavlm_large";
  std::string out;
  ASSERT_EQ(testing::run_command(std::string(SPEECHLEAK_CLI_PATH) + " model info " + wavlm.string(), &out), 0) << out;
  EXPECT_NE(out.find("wavlm"), std::string::npos) << out;
  EXPECT_NE(out.find("num_buckets=16 max_bucket_distance=40"), std::string::npos) << out;
  const std::string spec = "'librispeech:" + testing::write_tone_librispeech(dir / "LS", "s", 1, 2, 3).string() + ":s'";
  ASSERT_EQ(testing::run_command(std::string(SPEECHLEAK_CLI_PATH) + " -q extract --threads 1 --model " +
                                     wavlm.string() + " --corpus " + spec + " --layers 0 3 --out " +
                                     (dir / "store").string(),
                                 &out),
            0)
      << out;
  EXPECT_EQ(read_lines(dir / "store" / "index-0-of-1.jsonl").size(), 6u);
}

TEST(ExtractCli, RefusesALayerTheModelLacksBeforeReadingTheCorpus) {
  TempDir dir;
  const std::string cmd = std::string(SPEECHLEAK_CLI_PATH) + " extract --model " + kModel.string() +
                          " --corpus 'librispeech:" + (dir / "missing").string() + ":s' --layers 99 --out " +
                          (dir / "st").string();
  std::string out;
  EXPECT_EQ(testing::run_command(cmd, &out), 1) << out;
  EXPECT_NE(out.find("--layers"), std::string::npos) << out;
  EXPECT_NE(out.find("[0, 2]"), std::string::npos) << out;
  EXPECT_NE(out.find("99"), std::string::npos) << out;
  EXPECT_EQ(out.find("encoder failed"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir / "st"));
}

}  // namespace
}  // namespace speechleak
