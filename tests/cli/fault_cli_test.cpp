// Resource faults a user meets on a real machine: a file-size limit (as a full disk shows itself), Ctrl-C and
// SIGTERM, a recording far longer than an utterance. Each test checks what the user sees (exit status, a message
// that names the file and the problem), what is on disk afterwards (nothing half-written that looks complete), and
// that running the command again finishes the job with the bytes of an undisturbed run.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <thread>

#include "cli/cli_test_util.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
namespace fs = std::filesystem;
using testing::expect_contains;
using testing::interrupt_when;
using testing::kCli;
using testing::lines_in;
using testing::run_ok;
using testing::TempDir;

const fs::path& kModel = testing::kFixtureModel;

// The program under a file-size limit: writes past `bytes` fail with EFBIG, as on a full disk.
std::string limited(uint64_t bytes) { return "prlimit --fsize=" + std::to_string(bytes) + " " + kCli; }

std::map<std::string, std::string> files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = read_text_file(e.path());
  return out;
}

// 3 speakers x `utts` tone utterances in subset "s".
std::string tone_corpus(const fs::path& root, int utts = 12) {
  return testing::write_tone_librispeech(root, "s", 1, 3, utts).string();
}

TEST(FaultCli, AFileSizeLimitDuringExtractionNamesTheFileAndTheRerunCompletesTheStore) {
  TempDir dir;
  const auto root = tone_corpus(dir / "LS");
  const std::string args = " -q extract --threads 1 --model " + kModel.string() + " --corpus 'librispeech:" + root +
                           ":s' --frames --max-batch-seconds 4 --out ";
  run_ok(args + (dir / "reference").string());
  const auto reference = files(dir / "reference");
  const uint64_t data_bytes = fs::file_size(dir / "reference" / "data-0-of-1-0.bin");

  std::string out;
  const auto store = dir / "store";
  EXPECT_EQ(testing::run_command(limited(data_bytes / 2) + args + store.string(), &out), 1) << out;
  expect_contains(out, (store / "data-0-of-1-0.bin").string());
  expect_contains(out, "File too large");
  expect_contains(out, "run the command again");
  EXPECT_LT(fs::file_size(store / "data-0-of-1-0.bin"), data_bytes);

  out = run_ok(args + store.string());
  EXPECT_EQ(files(store), reference) << "the resumed store differs from an undisturbed run's";
}

TEST(FaultCli, AFileSizeLimitDuringSynthesisLeavesOnlyThePartialDirectoryAndTheRerunCompletesIt) {
  TempDir dir;
  const std::string args = " -q synth --pretrain-speakers 2 --aux-speakers 1 --heldout-speakers 1 "
                           "--finetune-speakers 1 --utts-per-speaker 3 --max-words 8 --out ";
  run_ok(args + (dir / "reference").string());

  std::string out;
  const auto corpus = dir / "corpus";
  EXPECT_EQ(testing::run_command(limited(20000) + args + corpus.string(), &out), 1) << out;
  expect_contains(out, (dir / "corpus.partial").string());
  expect_contains(out, "File too large");
  EXPECT_FALSE(fs::exists(corpus)) << "an unfinished corpus must not be where the finished one goes";

  run_ok(args + corpus.string());
  EXPECT_FALSE(fs::exists(dir / "corpus.partial"));
  auto a = files(dir / "reference"), b = files(corpus);
  a.erase("synth.json"), b.erase("synth.json");  // records the output path
  EXPECT_EQ(a, b);
}

// A pretraining run whose checkpoint cannot be written, and one stopped by SIGTERM: both resume to the model an
// undisturbed run makes, bit for bit.
TEST(FaultCli, PretrainingStoppedByAFullDiskOrSigtermResumesToTheSameModel) {
  TempDir dir;
  const auto root = tone_corpus(dir / "LS", 6);
  const std::string args = " -q pretrain --corpus 'librispeech:" + root +
                           ":s' --arch tiny --epochs 8 --clusters 8 --batch-size 4 --threads 1 --out ";
  run_ok(args + (dir / "reference").string());
  const std::string model = read_text_file(dir / "reference" / "model.safetensors");
  const auto checkpoint = dir / "reference" / "checkpoints" / read_text_file(dir / "reference/checkpoints/latest")
                                                                  .substr(0, 13);
  const uint64_t weights_bytes = fs::file_size(checkpoint / "weights.safetensors");

  std::string out;
  const auto full = dir / "full";
  EXPECT_EQ(testing::run_command(limited(weights_bytes - 1) + args + full.string(), &out), 1) << out;
  expect_contains(out, full.string());
  expect_contains(out, "File too large");
  EXPECT_FALSE(fs::exists(full / "model.safetensors"));
  out = run_ok(args + full.string() + " --resume");
  EXPECT_EQ(read_text_file(full / "model.safetensors"), model) << out;

  const auto stopped = dir / "stopped";
  const auto r = interrupt_when(args + stopped.string(), dir / "log.txt",
                                 [&] { return lines_in(stopped / "train_log.csv") >= 3; }, SIGTERM);
  const auto& log = r.log;
  ASSERT_TRUE(r.reached) << log;
  ASSERT_NE(r.status, 0) << "the run finished before SIGTERM arrived (make it longer):\n" << log;
  EXPECT_EQ(r.status, 128 + SIGTERM) << log;
  expect_contains(log, "interrupted by SIGTERM");
  expect_contains(log, "--resume");
  EXPECT_TRUE(fs::exists(stopped / "checkpoints" / "latest")) << log;
  EXPECT_FALSE(fs::exists(stopped / "model.safetensors"));
  out = run_ok(args + stopped.string() + " --resume");
  EXPECT_EQ(read_text_file(stopped / "model.safetensors"), model) << out;
}

TEST(FaultCli, CtrlCDuringExtractionStopsWith130AndTheRerunCompletesTheStore) {
  TempDir dir;
  const auto root = tone_corpus(dir / "LS", 16);
  const std::string args = " -q extract --threads 1 --model " + kModel.string() + " --corpus 'librispeech:" + root +
                           ":s' --frames --max-batch-seconds 2 --out ";
  run_ok(args + (dir / "reference").string());

  const auto store = dir / "store";
  const auto r = interrupt_when(args + store.string(), dir / "log.txt",
                                 [&] { return lines_in(store / "index-0-of-1.jsonl") >= 1; }, SIGINT);
  const auto& log = r.log;
  ASSERT_TRUE(r.reached) << log;
  ASSERT_NE(r.status, 0) << "the extraction finished before SIGINT arrived (make it longer):\n" << log;
  EXPECT_EQ(r.status, 128 + SIGINT) << log;
  expect_contains(log, "interrupted by SIGINT");
  expect_contains(log, "run the same command again");
  EXPECT_LT(lines_in(store / "index-0-of-1.jsonl"), 48u);

  run_ok(args + store.string());
  EXPECT_EQ(files(store), files(dir / "reference"));
}

// An audit whose run directory cannot be written leaves no summary.json (the mark of a complete run), and a report
// that cannot be written leaves no page; both complete when run again.
TEST(FaultCli, AFileSizeLimitDuringAnAuditOrItsReportLeavesNothingThatLooksComplete) {
  TempDir dir;
  const auto root = dir / "LS";
  testing::write_tone_librispeech(root, "m", 1, 2, 6), testing::write_tone_librispeech(root, "n", 3, 2, 6);
  testing::write_tone_librispeech(root, "a", 5, 2, 6);
  std::string stores;
  for (const char* role : {"members", "nonmembers", "aux"}) {
    const std::string subset(1, role[0]);
    run_ok("-q extract --threads 1 --model " + kModel.string() + " --corpus 'librispeech:" + root.string() + ":" +
           subset + "' --out " + (dir / subset).string());
    stores += std::string(" --") + role + " " + (dir / subset).string();
  }
  const std::string audit = " -q audit" + stores + " --attack basic --bootstrap 0 --threads 1 --out ";
  std::string out;
  const auto run = dir / "run";
  EXPECT_EQ(testing::run_command(limited(2000) + audit + run.string(), &out), 1) << out;
  expect_contains(out, run.string());
  expect_contains(out, "File too large");
  EXPECT_FALSE(fs::exists(run / "summary.json"));
  EXPECT_FALSE(fs::exists(run / "report.html"));
  run_ok(audit + run.string());
  ASSERT_TRUE(fs::exists(run / "summary.json"));

  const auto page = dir / "page.html";
  EXPECT_EQ(testing::run_command(limited(2000) + " report " + run.string() + " --out " + page.string(), &out), 1)
      << out;
  expect_contains(out, page.string());
  expect_contains(out, "File too large");
  EXPECT_FALSE(fs::exists(page));
  run_ok("report " + run.string() + " --out " + page.string());
  EXPECT_GT(fs::file_size(page), 2000u);
}

// A 10-minute recording among utterances: skipped before decoding and named, the rest extracted.
TEST(FaultCli, ATenMinuteRecordingIsSkippedAsTooLongAndTheRestIsExtracted) {
  TempDir dir;
  const auto root = tone_corpus(dir / "LS", 4);
  testing::write_tone(fs::path(root) / "s/1/3/1-3-2000.flac", 600.0);  // 19 MB of FLAC
  testing::write_text(fs::path(root) / "s/1/3/1-3.trans.txt",
                      read_text_file(fs::path(root) / "s/1/3/1-3.trans.txt") + "1-3-2000 LONG\n");
  const auto store = dir / "store";
  const auto out = run_ok("extract --threads 1 --model " + kModel.string() + " --corpus 'librispeech:" + root +
                          ":s' --out " + store.string());
  expect_contains(out, "1-3-2000");
  expect_contains(out, "too long");
  expect_contains(out, "600 s; the limit is 120 s");
  EXPECT_EQ(lines_in(store / "index-0-of-1.jsonl"), 12u);
}

}  // namespace
}  // namespace speechleak
