// Multi-process jobs as a user starts them: `speechleak launch` (torchrun's environment) over pretraining and
// extraction, a stop request, a killed process, and a job whose processes never all arrive.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <map>
#include <sstream>

#include "cli/cli_test_util.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
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

std::string tone_corpus(const fs::path& root, int utts) {
  return "'librispeech:" + testing::write_tone_librispeech(root, "s", 1, 3, utts).string() + ":s'";
}

// train_log.csv rows as numbers, by column name.
std::vector<std::map<std::string, double>> train_log(const fs::path& path) {
  const auto lines = read_lines(path);
  std::vector<std::map<std::string, double>> rows;
  if (lines.empty()) return rows;
  const auto header = text::split(lines[0], ',');
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto fields = text::split(lines[i], ',');
    std::map<std::string, double> row;
    for (size_t k = 0; k < header.size() && k < fields.size(); ++k) row[header[k]] = std::stod(fields[k]);
    rows.push_back(row);
  }
  return rows;
}

// The columns that do not depend on timing agree to `tolerance` (counts exactly).
void expect_same_log(const fs::path& a, const fs::path& b, double tolerance) {
  const auto x = train_log(a), y = train_log(b);
  ASSERT_EQ(x.size(), y.size());
  ASSERT_FALSE(x.empty());
  for (size_t i = 0; i < x.size(); ++i)
    for (const auto& [column, value] : x[i]) {
      if (column == "seconds") continue;
      EXPECT_NEAR(value, y[i].at(column), column == "masked_frames" ? 0.0 : tolerance)
          << column << " at row " << i + 1;
    }
}

// A pretraining run long enough to be stopped midway, checkpointed every 2 steps; "--out DIR" goes last.
std::string long_pretraining(const TempDir& dir) {
  return " pretrain --corpus " + tone_corpus(dir / "LS", 6) +
         " --arch tiny --epochs 12 --clusters 8 --batch-size 4 --threads 1 --checkpoint-every 2 --out ";
}

int second_child(int pid) {
  std::istringstream children(read_text_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                                             "/children"));
  int first = -1, second = -1;
  children >> first >> second;
  return second;
}

TEST(LaunchCli, TwoProcessesPretrainTheModelOneProcessDoes) {
  TempDir dir;
  const auto corpus = tone_corpus(dir / "LS", 4);
  const std::string args = " pretrain --corpus " + corpus +
                           " --arch tiny --epochs 3 --clusters 8 --batch-size 5 --threads 1 --out ";
  run_ok("-q" + args + (dir / "one").string());
  const auto out = run_ok("launch --nproc 2 --" + args + (dir / "two").string());
  expect_contains(out, "[rank 0] pretrain: 2 processes joined");
  EXPECT_EQ(out.find("[rank 1] pretrain"), std::string::npos) << "rank 1 logs only warnings:\n" << out;
  const auto summary = out.find("model: ");
  ASSERT_NE(summary, std::string::npos) << out;
  EXPECT_EQ(out.find("model: ", summary + 1), std::string::npos) << "one summary, from rank 0:\n" << out;
  expect_same_log(dir / "one/train_log.csv", dir / "two/train_log.csv", 1e-5);
  for (const auto* file : {"model.safetensors", "pretraining_head.safetensors", "targets.safetensors", "members.tsv",
                           "speechleak_pretraining.json"})
    EXPECT_TRUE(fs::exists(dir / "two" / file)) << file;
  expect_contains(read_text_file(dir / "two/speechleak_pretraining.json"), "\"processes\": 2");

  // Fine-tuning the model into a recogniser, data-parallel too: one summary, rank 0's files.
  const auto asr = run_ok("launch --nproc 2 -- finetune --model " + (dir / "two").string() + " --corpus " + corpus +
                          " --preset smoke --threads 1 --out " + (dir / "asr").string());
  EXPECT_EQ(asr.find("recogniser: "), asr.rfind("recogniser: ")) << asr;
  expect_contains(asr, "recogniser: " + (dir / "asr").string());
  EXPECT_TRUE(fs::exists(dir / "asr/model.safetensors"));
  EXPECT_GT(lines_in(dir / "asr/train_log.csv"), 1u);
}

TEST(LaunchCli, AStopRequestStopsEveryProcessAtOneStepAndTheRunResumes) {
  TempDir dir;
  const std::string args = long_pretraining(dir);
  run_ok("-q" + args + (dir / "reference").string());
  const auto stopped = dir / "stopped";
  const auto r = interrupt_when(" launch --nproc 2 --" + args + stopped.string(), dir / "log.txt",
                                [&] { return lines_in(stopped / "train_log.csv") >= 4; }, SIGTERM);
  ASSERT_TRUE(r.reached) << r.log;
  ASSERT_NE(r.status, 0) << "the run finished before SIGTERM arrived (make it longer):\n" << r.log;
  EXPECT_EQ(r.status, 128 + SIGTERM) << r.log;
  expect_contains(r.log, "[rank 0] error: interrupted by SIGTERM");
  expect_contains(r.log, "[rank 1] error: interrupted by SIGTERM");
  EXPECT_TRUE(fs::exists(stopped / "checkpoints/latest")) << r.log;
  EXPECT_FALSE(fs::exists(stopped / "model.safetensors"));
  run_ok("-q launch --nproc 2 --" + args + stopped.string() + " --resume");
  expect_same_log(dir / "reference/train_log.csv", stopped / "train_log.csv", 1e-4);
}

TEST(LaunchCli, AKilledProcessEndsTheJobWithItsRankNamedAndTheCheckpointResumes) {
  TempDir dir;
  const std::string args = long_pretraining(dir);
  run_ok("-q" + args + (dir / "reference").string());
  const auto run = dir / "run";
  const auto r = interrupt_when(" launch --nproc 2 --" + args + run.string(), dir / "log.txt",
                                [&] { return lines_in(run / "train_log.csv") >= 4; }, SIGKILL, second_child);
  ASSERT_TRUE(r.reached) << r.log;
  EXPECT_EQ(r.status, 1) << r.log;
  expect_contains(r.log, "error: launch: rank 1 (pid ");
  expect_contains(r.log, "was killed by SIGKILL");
  expect_contains(r.log, "[rank 0] error:");
  EXPECT_FALSE(fs::exists(run / "model.safetensors"));
  // The checkpoint rank 0 wrote resumes, with any number of processes, to the run one process makes.
  const auto out = run_ok(args + run.string() + " --resume");
  expect_contains(out, "training: step 60 of 60");  // 18 utterances, batches of 4, 12 epochs
  expect_same_log(dir / "reference/train_log.csv", run / "train_log.csv", 1e-4);
}

TEST(LaunchCli, AProcessAloneInAJobOfTwoStopsAfterTheTimeoutWithTheMasterNamed) {
  TempDir dir;
  std::string out;
  const int status = testing::run_command(
      "RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29517 SPEECHLEAK_DIST_TIMEOUT=2 " + kCli +
          " pretrain --corpus " + tone_corpus(dir / "LS", 2) + " --arch tiny --epochs 1 --out " +
          (dir / "m").string(),
      &out);
  EXPECT_EQ(status, 1) << out;
  expect_contains(out, "distributed rank 0 of 2");
  expect_contains(out, "127.0.0.1:29517");
  expect_contains(out, "within 2 s");
  EXPECT_FALSE(fs::exists(dir / "m/model.safetensors"));
}

TEST(LaunchCli, LaunchedExtractionWritesTheShardsTheExplicitShardsWrite) {
  TempDir dir;
  const std::string args = " -q extract --threads 1 --model " + kModel.string() + " --corpus " +
                           tone_corpus(dir / "LS", 3) + " --out ";
  run_ok(args + (dir / "explicit").string() + " --shard 0/2");
  run_ok(args + (dir / "explicit").string() + " --shard 1/2");
  run_ok("-q launch --nproc 2 --" + args.substr(3) + (dir / "launched").string());
  // The same parts with the same utterances at the same offsets (the floats may differ in their last bits: each
  // launched process has its own share of the cores, which can change the order of BLAS sums).
  std::map<std::string, std::string> a, b;
  auto read = [](const fs::path& store, std::map<std::string, std::string>& out) {
    for (const auto& e : fs::directory_iterator(store))
      out[e.path().filename()] = e.path().extension() == ".bin" ? std::to_string(fs::file_size(e.path()))
                                                                : read_text_file(e.path());
  };
  read(dir / "explicit", a);
  read(dir / "launched", b);
  EXPECT_TRUE(a.count("index-0-of-2.jsonl") && a.count("index-1-of-2.jsonl"));
  EXPECT_TRUE(a == b) << "the launched store's files differ from the explicit shards'";

  // The parts check out, and merge into one store of one part.
  expect_contains(run_ok("store verify " + (dir / "launched").string()), "9 records in 2 parts");
  expect_contains(run_ok("store merge " + (dir / "launched").string() + " --out " + (dir / "merged").string()),
                  "9 records copied");
  expect_contains(run_ok("store verify " + (dir / "merged").string()), "9 records in 1 parts");
  fs::remove(dir / "explicit/index-1-of-2.jsonl");
  std::string out;
  EXPECT_EQ(testing::run_command(kCli + " store verify " + (dir / "explicit").string(), &out), 1) << out;
  expect_contains(out, "problem: part 1-of-2 is missing");
}

TEST(LaunchCli, RefusesNoCommandAndItself) {
  std::string out;
  EXPECT_EQ(testing::run_command(kCli + " launch --nproc 2 -- launch --nproc 2 -- pretrain", &out), 1) << out;
  expect_contains(out, "command: expected a subcommand other than launch");
  EXPECT_EQ(testing::run_command(kCli + " launch --nproc 0 -- pretrain", &out), 1) << out;
  expect_contains(out, "--nproc");
}

}  // namespace
}  // namespace speechleak
