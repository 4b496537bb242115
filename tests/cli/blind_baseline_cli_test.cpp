// The blind baseline on a confounded split, as a user meets it: members from a clean corpus, non-members and aux
// from the same synthesis with loud background noise (LibriSpeech train-clean vs test-other in miniature). The
// audit must say the split is confounded, above the table and in summary.json, and warn.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "speechleak/util/file_io.h"
#include "cli/cli_test_util.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
namespace fs = std::filesystem;
using testing::run_ok;
using testing::TempDir;

TEST(BlindBaselineCli, AConfoundedSplitIsFlaggedAboveTheTableAndInTheSummary) {
  TempDir dir;
  const std::string sizes = " --pretrain-speakers 4 --heldout-speakers 4 --aux-speakers 4 --finetune-speakers 0 "
                            "--utts-per-speaker 3 --max-words 7 --seed 3";
  run_ok("synth --out " + (dir / "clean").string() + sizes);
  run_ok("synth --out " + (dir / "noisy").string() + sizes + " --noise-snr 0:3");
  const auto model = dir / "model";
  run_ok("pretrain --corpus 'librispeech:" + (dir / "clean").string() + ":pretrain' --arch tiny --epochs 1 "
         "--clusters 8 --batch-size 4 --threads 1 --out " + model.string());
  const auto run = dir / "run";
  const auto out = run_ok("audit --model " + model.string() + " --members 'librispeech:" + (dir / "clean").string() +
                          ":pretrain' --nonmembers 'librispeech:" + (dir / "noisy").string() +
                          ":heldout' --aux 'librispeech:" + (dir / "noisy").string() +
                          ":aux' --attack basic --bootstrap 200 --threads 1 --out " + run.string());
  EXPECT_NE(out.find("blind baseline (audio descriptors only, no model): AUC"), std::string::npos) << out;
  EXPECT_NE(out.find("SPLIT CONFOUNDED"), std::string::npos) << out;
  const auto summary = nlohmann::json::parse(read_text_file(run / "summary.json"));
  const auto& blind = summary.at("blind_baseline");
  EXPECT_TRUE(blind.at("confounded").get<bool>());
  EXPECT_GT(blind.at("auc").get<double>(), 0.9);
  EXPECT_EQ(blind.at("n_members"), 12);
  bool warned = false;
  for (const auto& w : summary.at("warnings")) warned |= w.get<std::string>().find("confounded") != std::string::npos;
  EXPECT_TRUE(warned) << summary.at("warnings").dump();

  const auto off = run_ok("audit --model " + model.string() + " --members 'librispeech:" + (dir / "clean").string() +
                          ":pretrain' --nonmembers 'librispeech:" + (dir / "noisy").string() +
                          ":heldout' --aux 'librispeech:" + (dir / "noisy").string() +
                          ":aux' --attack basic --bootstrap 0 --no-blind-baseline --threads 1 --out " +
                          (dir / "run2").string());
  EXPECT_EQ(off.find("blind baseline"), std::string::npos) << off;
  EXPECT_TRUE(nlohmann::json::parse(read_text_file(dir / "run2" / "summary.json")).at("blind_baseline").is_null());
}

}  // namespace
}  // namespace speechleak
