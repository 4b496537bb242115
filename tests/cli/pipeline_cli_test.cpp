// The commands a user chains: synth -> pretrain, and demo -> the audit command it prints -> report. Each checks
// what the command wrote and said, not its exit code alone.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "cli/cli_test_util.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::expect_refused;
using testing::run_ok;
using testing::TempDir;

json read_json(const fs::path& p) { return json::parse(read_text_file(p)); }

TEST(SynthAndPretrainCli, WriteACorpusAndAModelAndRefuseBadRuns) {
  TempDir dir;
  const auto corpus = dir / "corpus";
  const std::string synth = "synth --out " + corpus.string() +
                            " --pretrain-speakers 2 --aux-speakers 1 --heldout-speakers 1 --finetune-speakers 1 "
                            "--utts-per-speaker 3 --max-words 8";
  run_ok(synth);
  EXPECT_TRUE(fs::exists(corpus / "names.tsv"));
  EXPECT_TRUE(fs::exists(corpus / "synth.json"));
  EXPECT_FALSE(fs::exists(dir / "corpus.partial"));
  EXPECT_EQ(read_json(corpus / "synth.json").at("utterances"), 15);
  expect_refused("synth --out " + (dir / "c2").string() + " --lead-silence 0.3:0.1:0.2", "--lead-silence");

  const std::string spec = "'librispeech:" + corpus.string() + ":pretrain'";
  const auto model = dir / "model";
  const std::string pretrain = "pretrain --corpus " + spec + " --arch tiny --epochs 2 --clusters 8 --batch-size 4 "
                               "--threads 1 --out " + model.string();
  const auto out = run_ok(pretrain);
  EXPECT_NE(out.find("model: " + model.string()), std::string::npos) << out;
  EXPECT_NE(out.find("data: 6 utterances of 2 speakers"), std::string::npos) << out;
  EXPECT_NE(out.find("last step: loss "), std::string::npos) << out;
  EXPECT_NE(out.find("masked accuracy"), std::string::npos) << out;
  for (const char* f : {"config.json", "model.safetensors", "pretrain_config.json", "members.tsv",
                        "speechleak_pretraining.json", "pretraining_head.safetensors", "targets.safetensors"})
    EXPECT_TRUE(fs::exists(model / f)) << f;
  const auto log = read_lines(model / "train_log.csv");
  ASSERT_EQ(log.size(), 5u);  // header + 2 epochs x 2 steps
  EXPECT_EQ(log[0], "step,epoch,loss,masked_loss,masked_accuracy,unmasked_accuracy,lr,grad_norm,seconds,"
                    "audio_seconds,masked_frames");
  EXPECT_EQ(read_json(model / "pretrain_config.json").at("format_version"), 2);
  EXPECT_EQ(read_lines(model / "members.tsv").size(), 7u);

  // The wav2vec 2.0 objective from the same corpus: its options reach its own config section (--mask-prob too).
  const auto w2v = dir / "w2v";
  const auto w2v_out = run_ok("pretrain --corpus " + spec + " --objective wav2vec2 --arch tiny --epochs 1 "
                              "--batch-size 4 --mask-prob 0.1 --codebook-entries 16 --negatives 8 --threads 1 --out " +
                              w2v.string());
  EXPECT_NE(w2v_out.find("accuracy"), std::string::npos) << w2v_out;
  const auto objective = read_json(w2v / "pretrain_config.json").at("objective");
  EXPECT_EQ(objective.at("name"), "wav2vec2");
  EXPECT_DOUBLE_EQ(objective.at("masking").at("prob").get<double>(), 0.1);
  EXPECT_EQ(objective.at("quantizer").at("entries"), 16);
  EXPECT_EQ(read_json(w2v / "config.json").at("model_type"), "wav2vec2");
  EXPECT_EQ(read_json(w2v / "config.json").at("num_negatives"), 8);
  EXPECT_FALSE(fs::exists(w2v / "targets.safetensors"));
  EXPECT_EQ(read_lines(w2v / "train_log.csv")[0].rfind("step,epoch,loss,contrastive_loss,", 0), 0u);
  const auto info = run_ok("model info " + w2v.string());
  EXPECT_NE(info.find("wav2vec2"), std::string::npos) << info;

  expect_refused(pretrain, "already holds a pretraining run");
  expect_refused(pretrain + " --resume --seed 5", "training.seed");
  expect_refused("pretrain --corpus " + spec + " --epochs 0 --out " + (dir / "m2").string(), "--epochs");
  EXPECT_FALSE(fs::exists(dir / "m2" / "model.safetensors"));
}

TEST(DemoAuditReportCli, TheDemosAuditCommandRepeatsItsNumbersAndReportsCompareThem) {
  TempDir dir;
  const auto demo = dir / "demo";
  const auto out = run_ok("demo --preset test --threads 1 --out " + demo.string());
  EXPECT_NE(out.find("Membership inference against the demo model (preset test)"), std::string::npos) << out;
  for (const char* row : {"utterance  basic", "utterance  improved", "speaker    basic", "speaker    improved"})
    EXPECT_NE(out.find(row), std::string::npos) << row << "\n" << out;
  ASSERT_TRUE(fs::exists(demo / "run" / "summary.json"));
  EXPECT_TRUE(fs::exists(demo / "run" / "report.html"));
  const auto record = read_json(demo / "demo.json");
  std::string command = record.at("audit_command");
  ASSERT_TRUE(text::starts_with(command, "speechleak audit ")) << command;
  EXPECT_NE(out.find(command), std::string::npos) << "the demo prints its audit command";

  // The printed command, run as a user would, gives the demo's numbers (one pipeline, the same seeds).
  const auto audit_out = run_ok("-q " + command.substr(std::string("speechleak ").size()) + " --threads 1");
  EXPECT_NE(audit_out.find("level      attack    AUC [95% CI]"), std::string::npos) << audit_out;
  const auto audit_dir = demo / "run-audit";
  ASSERT_TRUE(fs::exists(audit_dir / "summary.json")) << command;
  EXPECT_TRUE(fs::exists(audit_dir / "report.html"));
  const auto a = read_json(demo / "run" / "summary.json").at("results");
  const auto b = read_json(audit_dir / "summary.json").at("results");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at("level"), b[i].at("level"));
    EXPECT_EQ(a[i].at("direction"), b[i].at("direction"));
    EXPECT_EQ(a[i].at("metrics").at("auc"), b[i].at("metrics").at("auc")) << a[i].at("level") << a[i].at("attack");
  }

  const auto html = dir / "both.html";
  run_ok("report " + (demo / "run").string() + " " + audit_dir.string() + " --out " +
                                 html.string());
  const auto page = read_text_file(html);
  EXPECT_NE(page.find("demo-test"), std::string::npos);
  EXPECT_NE(page.find("run-audit"), std::string::npos);
  expect_refused("report " + (dir / "nowhere").string() + " --out " + (dir / "x.html").string(),
                 (dir / "nowhere").string());
  EXPECT_FALSE(fs::exists(dir / "x.html"));
  expect_refused("audit --members a --nonmembers b --aux c --out " + (dir / "r").string() + " --direction sideways",
                 "--direction");
}

}  // namespace
}  // namespace speechleak
