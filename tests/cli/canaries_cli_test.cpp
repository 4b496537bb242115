// `speechleak canaries bound | make | audit`: the worked value of docs/calibrated-attacks.md, no-evidence counts,
// the inclusion draw (utterances, whole speakers), an audit whose bound follows from its guesses, refusals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <set>

#include "cli/cli_test_util.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak {
namespace {
using testing::expect_refused;
using testing::run_ok;

TEST(CanariesBoundCli, PrintsTheBoundAndRefusesImpossibleCounts) {
  const auto out = run_ok("canaries bound --canaries 100 --guesses 100 --correct 95");
  EXPECT_NE(out.find("epsilon lower bound 2.17"), std::string::npos) << out;
  const auto none = run_ok("canaries bound --canaries 100 --guesses 100 --correct 55");
  EXPECT_NE(none.find("epsilon lower bound 0.000"), std::string::npos) << none;
  EXPECT_NE(none.find("no evidence of leakage"), std::string::npos) << none;
  const auto weaker = run_ok("canaries bound --canaries 1000 --guesses 100 --correct 90 --delta 1e-5");
  EXPECT_NE(weaker.find("epsilon lower bound 1.626"), std::string::npos) << weaker;
  expect_refused("canaries bound --canaries 10 --guesses 20 --correct 5", "--guesses");
  expect_refused("canaries bound --canaries 10 --guesses 10 --correct 11", "--correct");
  expect_refused("canaries bound --canaries 10 --guesses 10 --correct 5 --p 0", "--p");
}

}  // namespace
}  // namespace speechleak

namespace speechleak {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

// The manifest's rows (header skipped), split into columns.
std::vector<std::vector<std::string>> rows(const fs::path& tsv) {
  std::vector<std::vector<std::string>> out;
  const auto lines = read_lines(tsv);
  for (size_t i = 1; i < lines.size(); ++i)
    if (!lines[i].empty()) out.push_back(text::split(lines[i], '\t'));
  return out;
}

TEST(CanariesCli, MakeInsertsHalfAndSpeakerCanariesWhole) {
  TempDir dir;
  run_ok("canaries make --out " + (dir / "utt").string() + " --count 12 --new-speakers 2 --max-words 7 --seed 2");
  EXPECT_EQ(rows(dir / "utt" / "canaries.tsv").size(), 12u);
  EXPECT_EQ(rows(dir / "utt" / "canaries-inserted.tsv").size(), 6u);
  EXPECT_EQ(rows(dir / "utt" / "canaries-heldout.tsv").size(), 6u);

  run_ok("canaries make --out " + (dir / "spk").string() + " --count 6 --unit speaker --utts-per-speaker 2 "
         "--max-words 7 --seed 2");
  std::map<std::string, std::set<std::string>> sets;  // speaker -> canary_set values of its utterances
  const auto all = rows(dir / "spk" / "canaries.tsv");
  ASSERT_EQ(all.size(), 12u);
  for (const auto& r : rows(dir / "spk" / "canaries-inserted.tsv")) sets[r.at(1)].insert("inserted");
  for (const auto& r : rows(dir / "spk" / "canaries-heldout.tsv")) sets[r.at(1)].insert("heldout");
  ASSERT_EQ(sets.size(), 6u);
  int inserted = 0;
  for (const auto& [spk, s] : sets) {
    EXPECT_EQ(s.size(), 1u) << spk << " has inserted and held-out canaries";
    inserted += s.count("inserted");
  }
  EXPECT_EQ(inserted, 3);
  expect_refused("canaries make --out " + (dir / "bad").string() + " --count 4 --unit chapter", "--unit");
}

TEST(CanariesCli, AuditScoresEveryCanaryAndTheBoundFollowsFromItsGuesses) {
  TempDir dir;
  const auto can = (dir / "can").string(), model = (dir / "model").string();
  run_ok("canaries make --out " + can + " --count 12 --new-speakers 2 --max-words 7 --seed 2");
  run_ok("pretrain --corpus manifest:" + can + "/canaries-inserted.tsv --arch tiny --epochs 1 --clusters 8 "
         "--batch-size 4 --threads 1 --out " + model);
  const auto out = run_ok("canaries audit --model " + model + " --canaries " + can + " --guesses-in 3 --guesses-out 3 "
                          "--threads 1 --out " + (dir / "audit").string());
  EXPECT_NE(out.find("12 utterance canaries (6 inserted), signal pretext; guesses 3 in + 3 out"), std::string::npos)
      << out;
  const auto record = json::parse(read_text_file(dir / "audit" / "canary_audit.json"));
  // The count of correct guesses is what scores.tsv's guesses and sets say, and the bound is the bound of it.
  int correct = 0, guesses = 0;
  for (const auto& r : rows(dir / "audit" / "scores.tsv")) {
    const int g = std::stoi(r.at(3));
    guesses += g != 0;
    correct += (g == 1 && r.at(1) == "inserted") || (g == -1 && r.at(1) == "heldout");
  }
  EXPECT_EQ(guesses, 6);
  EXPECT_EQ(record.at("correct").get<int>(), correct);
  const auto bound = run_ok("canaries bound --canaries 12 --guesses 6 --correct " + std::to_string(correct));
  char eps[32];
  std::snprintf(eps, sizeof eps, "%.3f", record.at("epsilon_lower_bound").get<double>());
  EXPECT_NE(bound.find(std::string("epsilon lower bound ") + eps), std::string::npos) << bound << " vs " << eps;

  expect_refused("canaries audit --model " + model + " --canaries " + can + " --guesses-in 10 --guesses-out 10 "
                 "--out " + (dir / "a2").string(), "--guesses-in");
  expect_refused("canaries audit --model " + model + " --canaries " + model + " --out " + (dir / "a3").string(),
                 "not a canary set");
  fs::copy(model, dir / "headless", fs::copy_options::recursive);
  fs::remove(dir / "headless" / "pretraining_head.safetensors");
  expect_refused("canaries audit --model " + (dir / "headless").string() + " --canaries " + can +
                 " --signal pretext --out " + (dir / "a4").string(), "--signal pretext");
  // Without its head, auto falls back to the basic score (the direction fixed in advance).
  const auto basic = run_ok("canaries audit --model " + (dir / "headless").string() + " --canaries " + can +
                            " --direction low --threads 1 --out " + (dir / "a5").string());
  EXPECT_NE(basic.find("signal basic"), std::string::npos) << basic;
}

}  // namespace
}  // namespace speechleak
