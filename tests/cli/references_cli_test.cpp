// Reference encoders and the calibrated attacks as a user runs them: pretrain a target, train references with its
// recipe, audit with lira/rmia. The numbers of tiny one-epoch models mean nothing; what is checked is the plan
// (keep matrix balanced, each run's data = its IN candidates + its population share), resumption, the audit's rows
// and files, and the refusals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "cli/cli_test_util.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing::expect_refused;
using testing::run_ok;
using testing::TempDir;

struct RefsSetup {
  TempDir dir;
  std::string corpus, model, refs;
  RefsSetup() {
    corpus = (dir / "corpus").string();
    model = (dir / "model").string();
    refs = (dir / "refs").string();
    run_ok("synth --out " + corpus + " --pretrain-speakers 3 --heldout-speakers 3 --aux-speakers 4 "
           "--finetune-speakers 0 --utts-per-speaker 3 --max-words 7 --seed 3");
    run_ok("pretrain --corpus 'librispeech:" + corpus + ":pretrain' --arch tiny --epochs 1 --clusters 8 "
           "--batch-size 4 --threads 1 --out " + model);
  }
  std::string split(const std::string& s) const { return "'librispeech:" + corpus + ":" + s + "'"; }
  std::string train_refs(const std::string& extra = "") const {
    return "references train --recipe " + model + " --candidates " + split("pretrain,heldout") + " --population " +
           split("aux") + " --runs 2 --threads 1 --out " + refs + extra;
  }
};

std::set<std::string> speakers_of_manifest(const fs::path& tsv) {
  std::set<std::string> out;
  const auto lines = read_lines(tsv);
  for (size_t i = 1; i < lines.size(); ++i)
    if (!lines[i].empty()) out.insert(text::split(lines[i], '\t').at(1));
  return out;
}

TEST(ReferencesCli, TrainsABalancedResumableSetAndTheAuditCalibratesAgainstIt) {
  RefsSetup s;
  const auto out = run_ok(s.train_refs());
  EXPECT_NE(out.find("2 of 2 runs finished (online, 6 candidate speakers)"), std::string::npos) << out;
  const auto plan = json::parse(read_text_file(fs::path(s.refs) / "references.json"));
  const auto& keep = plan.at("keep").at("keep");
  const auto units = plan.at("keep").at("units").get<std::vector<std::string>>();
  ASSERT_EQ(keep.size(), 2u);
  ASSERT_EQ(units.size(), 6u);
  std::set<std::string> aux_speakers;
  for (const auto& l : read_lines(fs::path(s.corpus) / "aux.tsv"))
    if (!l.empty() && l.rfind("utt_id", 0) != 0) aux_speakers.insert(text::split(l, '\t').at(1));
  for (size_t r = 0; r < 2; ++r) {
    std::set<std::string> in;
    for (size_t c = 0; c < units.size(); ++c) {
      EXPECT_EQ(keep[0][c].get<int>() + keep[1][c].get<int>(), 1) << units[c];  // IN for exactly one of 2 runs
      if (keep[r][c].get<int>()) in.insert(units[c]);
    }
    const fs::path run = fs::path(s.refs) / "runs" / ("00" + std::to_string(r));
    EXPECT_TRUE(fs::exists(run / "model.safetensors"));
    std::set<std::string> population;
    for (const auto& spk : speakers_of_manifest(run / "data.tsv")) {
      if (aux_speakers.count(spk)) population.insert(spk);
      else EXPECT_TRUE(in.count(spk)) << "run " << r << " trained on OUT candidate " << spk;
    }
    EXPECT_EQ(in.size(), speakers_of_manifest(run / "data.tsv").size() - population.size());
    EXPECT_EQ(population.size(), 2u);  // --population-fraction 0.5 of 4 aux speakers
  }
  EXPECT_TRUE(fs::exists(fs::path(s.refs) / "keep.npy"));
  // Trained two at a time in child processes, the runs are the runs trained one after the other.
  const std::string parallel = (s.dir / "refs-jobs").string();
  auto cmd = s.train_refs();
  cmd.replace(cmd.find("--out " + s.refs), 6 + s.refs.size(), "--out " + parallel + " --jobs 2");
  run_ok(cmd);
  for (const char* run : {"000", "001"})
    EXPECT_EQ(read_text_file(fs::path(parallel) / "runs" / run / "model.safetensors"),
              read_text_file(fs::path(s.refs) / "runs" / run / "model.safetensors"))
        << "run " << run << " differs between --jobs 2 and one process";
  // A second call reuses the finished runs; another plan in the same directory is refused.
  const auto again = run_ok(s.train_refs());
  EXPECT_NE(again.find("0 runs trained, 2 reused"), std::string::npos) << again;
  expect_refused(s.train_refs().replace(s.train_refs().find("--runs 2"), 8, "--runs 4"), "planned with other options");

  const fs::path run = s.dir / "run";
  const auto table = run_ok("audit --model " + s.model + " --members " + s.split("pretrain") + " --nonmembers " +
                            s.split("heldout") + " --aux " + s.split("aux") + " --references " + s.refs +
                            " --attack basic,loss,lira,lira-offline,lira-mean,rmia,rmia-offline --bootstrap 0 "
                            "--no-blind-baseline --threads 1 --out " + run.string());
  for (const char* row : {"utterance  lira ", "utterance  rmia-offline", "speaker    lira-mean", "speaker    rmia "})
    EXPECT_NE(table.find(row), std::string::npos) << row << "\n" << table;
  const auto summary = json::parse(read_text_file(run / "summary.json"));
  size_t calibrated = 0;
  for (const auto& r : summary.at("results")) {
    if (r.at("attack") == "basic") continue;
    ++calibrated;
    // The target carries its pretraining head, so "auto" scores the pretext signal.
    EXPECT_EQ(r.at("details").at("signal"), "pretext") << r.dump();
  }
  EXPECT_EQ(calibrated, 11u);  // loss, lira, lira-offline, rmia, rmia-offline at both levels + lira-mean
  EXPECT_TRUE(fs::exists(run / "references" / "000" / "features" / "members" / "store.json"));
  EXPECT_NE(read_text_file(run / "references" / "001" / "features" / "aux" / "store.json").find("pretext:"), std::string::npos);
  EXPECT_TRUE(fs::exists(run / "npy" / "utterance-lira.scores.npy"));
}

TEST(ReferencesCli, RefusesWhatTheAttacksCannotUse) {
  RefsSetup s;
  const std::string roles = " --members " + s.split("pretrain") + " --nonmembers " + s.split("heldout") + " --aux " +
                            s.split("aux") + " --bootstrap 0 --threads 1 --out " + (s.dir / "r").string();
  expect_refused("audit --model " + s.model + roles + " --attack lira", "--references");
  EXPECT_FALSE(fs::exists(s.dir / "r" / "features")) << "refused after extracting, not before";
  expect_refused("references train --recipe " + s.model + " --candidates " + s.split("pretrain,heldout") +
                     " --population " + s.split("heldout,aux") + " --runs 2 --out " + (s.dir / "x").string(),
                 "--population");
  expect_refused("references train --recipe " + s.model + " --candidates " + s.split("pretrain") +
                     " --runs 1 --out " + (s.dir / "y").string(),
                 "--runs");
  // References of another architecture than the target: refused, naming the run.
  const std::string other = (s.dir / "other").string();
  run_ok("pretrain --corpus " + s.split("pretrain") + " --arch mini --epochs 1 --clusters 8 --batch-size 4 "
         "--threads 1 --out " + other);
  run_ok("references train --recipe " + other + " --candidates " + s.split("pretrain,heldout") + " --runs 2 "
         "--population-fraction 0 --threads 1 --out " + (s.dir / "mini-refs").string());
  expect_refused("audit --model " + s.model + roles + " --attack lira --references " + (s.dir / "mini-refs").string(),
                 "architecture");
}

// In a launch of 2 processes, rank r trains runs r, r + 2, ... once rank 0 has written the plan; a rerun alone
// finds every run finished.
TEST(ReferencesCli, ALaunchSpreadsTheRunsOverItsProcesses) {
  RefsSetup s;
  auto train = s.train_refs();
  train.replace(train.find("--runs 2"), 8, "--runs 3");
  const auto out = run_ok("launch --nproc 2 -- " + train);
  EXPECT_NE(out.find("[rank 0] references: rank 0 of 2 trains run(s) 0, 2"), std::string::npos) << out;
  for (const auto* run : {"000", "001", "002"})
    EXPECT_TRUE(fs::exists(fs::path(s.refs) / "runs" / run / "model.safetensors")) << run << "\n" << out;
  const auto again = run_ok(train);
  EXPECT_NE(again.find("3 of 3 runs finished"), std::string::npos) << again;
  EXPECT_NE(again.find("0 runs trained, 3 reused"), std::string::npos) << again;
}

}  // namespace
}  // namespace speechleak
