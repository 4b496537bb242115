// The recognition commands a user chains: synth -> pretrain -> finetune -> transcribe and noise-mask, and model info
// on the recogniser. Each checks what the command wrote and said.
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

TEST(FinetuneTranscribeCli, MakeARecogniserTranscribeWithItAndShowItsHead) {
  TempDir dir;
  const auto corpus = dir / "corpus";
  run_ok("synth --out " + corpus.string() + " --pretrain-speakers 2 --aux-speakers 1 --heldout-speakers 1 "
         "--finetune-speakers 2 --utts-per-speaker 3 --max-words 8 --name-inventory 4 --allow-finetune-pretrain-names "
         "--canaries 6 --canary-inventory-names --canary-repeats 2");
  const auto spec = [&](const char* split) { return "'librispeech:" + corpus.string() + ":" + split + "'"; };
  const auto model = dir / "model";
  run_ok("-q pretrain --corpus " + spec("pretrain") + " --arch tiny --epochs 1 --clusters 8 --batch-size 3 "
         "--threads 1 --out " + model.string());

  const auto asr = dir / "asr";
  const std::string finetune = "finetune --model " + model.string() + " --corpus " + spec("finetune") + " --dev " +
                               spec("heldout") + " --preset smoke --threads 1 --mask-channel-prob 0.1 --out " +
                               asr.string();
  const auto out = run_ok(finetune);
  EXPECT_NE(out.find("recogniser: " + asr.string()), std::string::npos) << out;
  EXPECT_NE(out.find("data: 6 utterances of 2 speakers"), std::string::npos) << out;
  EXPECT_NE(out.find("<- kept"), std::string::npos) << out;
  EXPECT_EQ(read_lines(asr / "dev_log.csv").size(), 3u);  // header + 2 epochs
  const auto config = json::parse(read_text_file(asr / "finetune_config.json"));
  EXPECT_EQ(config["objective"]["mask_channel_prob"], 0.1);
  EXPECT_EQ(config["training"]["epochs"], 2);
  expect_refused(finetune, "already holds a fine-tuning run");
  expect_refused(finetune + " --resume --lr 0.5", "training.optim.lr");
  expect_refused("finetune --model " + model.string() + " --corpus " + spec("finetune") + " --preset fast --out " +
                     (dir / "x").string(),
                 "--preset");

  const auto hyp = dir / "hyp.tsv";
  const auto t = run_ok("transcribe --model " + asr.string() + " --corpus " + spec("heldout") + " --beam 3 --out " +
                        hyp.string());
  EXPECT_NE(t.find("3 utterances transcribed"), std::string::npos) << t;
  EXPECT_NE(t.find("overall (3 utterances): WER "), std::string::npos) << t;
  const auto lines = read_lines(hyp);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "utt_id\thypothesis");
  EXPECT_EQ(text::split(lines[1], '\t').size(), 2u) << lines[1];
  expect_refused("transcribe --model " + model.string() + " --corpus " + spec("heldout") + " --out " +
                     (dir / "h2.tsv").string(),
                 "not a CTC model");
  EXPECT_FALSE(fs::exists(dir / "h2.tsv"));

  const auto info = run_ok("model info " + asr.string());
  EXPECT_NE(info.find("ctc head:      lm_head Linear(96 -> 30), blank '[PAD]' (id 0), word delimiter '|'"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("vocabulary:    30 tokens: [PAD] [UNK] | ' A B"), std::string::npos) << info;
  const auto j = json::parse(run_ok("model info --json " + asr.string()));
  EXPECT_EQ(j["ctc"]["vocab_size"], 30);

  // The noise-masking attack with this recogniser: inserted canaries against held-out ones.
  const auto manifest = [&](const char* name) {
    return "'manifest:" + (corpus / name).string() + "?alignments=" + (corpus / "canaries.ctm").string() + "'";
  };
  const auto run = dir / "nm";
  const std::string attack = "noise-mask --asr " + asr.string() + " --targets " + manifest("canaries-targets.tsv") +
                             " --control " + manifest("canaries-heldout.tsv") + " --threads 1 --out ";
  const auto nm = run_ok(attack + run.string());
  EXPECT_NE(nm.find("target        3  "), std::string::npos) << nm;
  EXPECT_NE(nm.find("control       3  "), std::string::npos) << nm;
  EXPECT_NE(nm.find("gap target - control: "), std::string::npos) << nm;
  EXPECT_NE(nm.find("baselines: chance "), std::string::npos) << nm;  // 1/N over the names the corpus mentions
  EXPECT_EQ(read_lines(run / "noise-masking" / "outcomes.tsv").size(), 1u + 6u);
  const auto summary = json::parse(read_text_file(run / "summary.json"));
  EXPECT_EQ(summary["noise_masking"]["sets"][0]["counts"]["trials"], 3);
  EXPECT_TRUE(fs::exists(run / "report.html"));
  EXPECT_NE(read_text_file(run / "report.html").find("<section id=\"noise-masking\">"), std::string::npos);
  expect_refused("noise-mask --asr " + asr.string() + " --targets " + manifest("canaries-targets.tsv") +
                     " --control " + manifest("canaries-inserted.tsv") + " --out " + (dir / "nm2").string(),
                 "--control");
  testing::write_text(dir / "nobody.txt", "BARTHOLOMEW\n");
  expect_refused(attack + (dir / "nm3").string() + " --names " + (dir / "nobody.txt").string(), "--names");
  EXPECT_FALSE(fs::exists(dir / "nm3" / "summary.json"));
}

}  // namespace
}  // namespace speechleak
