// The run loader reads the run-directory contract and names the file (and line or field) of every problem.
#include <gtest/gtest.h>

#include <algorithm>

#include "report/synthetic_run.h"
#include "speechleak/report/csv_table.h"
#include "speechleak/report/run_loader.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::report {
namespace {

namespace fs = std::filesystem;
using speechleak::testing::TempDir;
using speechleak::testing::write_text;

// Runs `f`, expects an exception of type E, returns its message.
template <typename E, typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception of the expected type";
  return {};
}

class RunLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SyntheticRun spec;
    spec.warnings = {"auxiliary set overlaps evaluation non-members: 12 speakers"};
    testing::write_synthetic_run(dir_.path(), spec);
  }
  fs::path run() const { return dir_.path(); }
  // Replaces line `line` (1-based) of a file.
  void replace_line(const fs::path& file, size_t line, const std::string& text) {
    std::vector<std::string> lines = read_lines(file);
    lines.at(line - 1) = text;
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    write_text(file, out);
  }
  TempDir dir_;
};

TEST_F(RunLoaderTest, ReadsEverySummaryEntryWithItsFiles) {
  const RunData r = load_run(run());
  EXPECT_EQ(r.run_name, "hubert-base");
  EXPECT_EQ(r.model_fingerprint, "sha256:3f2a9c0d1");
  ASSERT_EQ(r.results.size(), 4u);
  EXPECT_EQ(r.results[0].level, "utterance");
  EXPECT_EQ(r.results[0].attack, "basic");
  EXPECT_EQ(r.results[0].layer, 12);
  EXPECT_EQ(r.results[1].level, "speaker");
  EXPECT_FALSE(r.results[2].layer.has_value());  // improved entries record layer null
  for (const Result& res : r.results) {
    EXPECT_EQ(res.member_scores.size(), res.metrics.n_members) << res.level << "/" << res.attack;
    EXPECT_EQ(res.nonmember_scores.size(), res.metrics.n_nonmembers);
    ASSERT_GE(res.roc.size(), 2u);
    EXPECT_EQ(res.roc.front().fpr, 0.0);
    EXPECT_EQ(res.roc.back().tpr, 1.0);
    ASSERT_TRUE(res.metrics.auc_interval.has_value());
    ASSERT_TRUE(res.metrics.tpr_at_0_1.has_value());
    ASSERT_TRUE(res.metrics.tpr_at_0_1->interval.has_value());
    ASSERT_TRUE(res.metrics.tpr_at_1.has_value());
    EXPECT_GT(res.metrics.auc, 0.5);
  }
  EXPECT_EQ(r.results[0].metrics.n_members, 240u);
  EXPECT_EQ(r.results[1].metrics.n_members, 30u);  // speaker level: one item per speaker
  // 240 utterance-level non-members resolve FPR 1% but not 0.1%; 30 speakers resolve neither.
  EXPECT_TRUE(r.results[0].metrics.tpr_at_0_1->below_resolution);
  EXPECT_FALSE(r.results[0].metrics.tpr_at_1->below_resolution);
  EXPECT_TRUE(r.results[1].metrics.tpr_at_1->below_resolution);
  EXPECT_EQ(r.warnings, std::vector<std::string>{"auxiliary set overlaps evaluation non-members: 12 speakers"});
  EXPECT_TRUE(r.config.contains("seeds"));
}

TEST_F(RunLoaderTest, SpeakersAreSortedMostExposedFirst) {
  const RunData r = load_run(run());
  ASSERT_EQ(r.speakers.size(), 2u);
  const auto& basic = r.speakers.at("basic");
  ASSERT_EQ(basic.size(), 60u);
  EXPECT_TRUE(std::is_sorted(basic.begin(), basic.end(), [](const auto& a, const auto& b) { return a.score > b.score; }));
  EXPECT_EQ(basic.front().n_utts, 8u);
}

TEST_F(RunLoaderTest, MissingSummaryIsAFileErrorNamingIt) {
  fs::remove(run() / "summary.json");
  try {
    load_run(run());
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_EQ(e.path(), run() / "summary.json");
    EXPECT_NE(std::string(e.what()).find("summary.json: does not exist"), std::string::npos) << e.what();
  }
}

TEST_F(RunLoaderTest, MissingDirectoryIsAFileError) {
  const std::string m = message_of<FileError>([&] { load_run(run() / "nope"); });
  EXPECT_NE(m.find("nope"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, MissingRocFileIsNamed) {
  fs::remove(run() / "roc" / "speaker-improved.csv");
  const std::string m = message_of<FileError>([&] { load_run(run()); });
  EXPECT_NE(m.find("roc/speaker-improved.csv"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, ShortCsvRowNamesFileAndLine) {
  replace_line(run() / "scores" / "utterance-basic.csv", 5, "100-1-3,100,train-clean-100,1");
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("scores/utterance-basic.csv: line 5: expected 6 fields"), std::string::npos) << m;
  EXPECT_NE(m.find("got 4"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, BadMemberFlagNamesLineAndColumn) {
  replace_line(run() / "scores" / "speaker-basic.csv", 3, "101,8,yes,0.5");
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("speaker-basic.csv: line 3: member: expected 0 or 1, got 'yes'"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, NonNumericScoreNamesLine) {
  replace_line(run() / "roc" / "utterance-improved.csv", 4, "0.5,abc,0.1,1,2");
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("roc/utterance-improved.csv: line 4: fpr"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, MissingColumnIsNamed) {
  replace_line(run() / "scores" / "utterance-basic.csv", 1, "utt_id,speaker_id,subset,is_member,score,raw_score");
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("missing column 'member'"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, MalformedSummaryFieldNamesItsPath) {
  nlohmann::json s = nlohmann::json::parse(read_text_file(run() / "summary.json"));
  s["results"][1]["metrics"]["auc"] = "high";
  write_text(run() / "summary.json", s.dump());
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("summary.json: results[1].metrics.auc: expected a number, got \"high\""), std::string::npos) << m;
}

TEST_F(RunLoaderTest, InvalidJsonIsAFormatError) {
  write_text(run() / "config.json", "{\"command\": ");
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("config.json: not valid JSON"), std::string::npos) << m;
}

// fuzz/regressions/run_dir: a number past a double is the JSON library's out_of_range, not a parse error; it
// escaped as an internal error.
TEST_F(RunLoaderTest, ANumberPastADoubleIsAFormatError) {
  write_text(run() / "summary.json", "{\"results\": [], \"x\": 0.33E3333333333333}");
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("summary.json: not valid JSON"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, AttackNamesCannotLeaveTheRunDirectory) {
  nlohmann::json s = nlohmann::json::parse(read_text_file(run() / "summary.json"));
  s["results"][0]["attack"] = "../../etc/passwd";
  write_text(run() / "summary.json", s.dump());
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("results[0].attack: expected a plain name"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, DuplicateEntryIsRejected) {
  nlohmann::json s = nlohmann::json::parse(read_text_file(run() / "summary.json"));
  s["results"].push_back(s["results"][0]);
  write_text(run() / "summary.json", s.dump());
  const std::string m = message_of<FormatError>([&] { load_run(run()); });
  EXPECT_NE(m.find("results[4]: a second entry for level 'utterance', attack 'basic'"), std::string::npos) << m;
}

TEST_F(RunLoaderTest, CountMismatchBecomesAWarning) {
  nlohmann::json s = nlohmann::json::parse(read_text_file(run() / "summary.json"));
  s["results"][0]["metrics"]["n_members"] = 999;
  write_text(run() / "summary.json", s.dump());
  const RunData r = load_run(run());
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[1], "report: scores/utterance-basic.csv holds 240 members and 240 non-members, "
                           "summary.json says 999 and 240");
}

TEST_F(RunLoaderTest, RunNameFallsBackToTheDirectoryName) {
  nlohmann::json s = nlohmann::json::parse(read_text_file(run() / "summary.json"));
  s.erase("run_name");
  write_text(run() / "summary.json", s.dump());
  EXPECT_EQ(load_run(run()).run_name, run().filename().string());
}

TEST(CsvTable, QuotedFieldsKeepCommasAndQuotes) {
  EXPECT_EQ(split_csv_line(R"(a,"b,c","say ""hi""",)"), (std::vector<std::string>{"a", "b,c", "say \"hi\"", ""}));
  EXPECT_THROW(split_csv_line("a,\"b"), InvalidArgument);
}

TEST(CsvTable, EmptyFileHasNoHeader) {
  TempDir dir;
  write_text(dir / "x.csv", "\n\n");
  const std::string m = message_of<FormatError>([&] { CsvTable::read(dir / "x.csv"); });
  EXPECT_NE(m.find("empty file"), std::string::npos) << m;
}

TEST(RocReader, RejectsRatesOutsideTheUnitInterval) {
  TempDir dir;
  write_text(dir / "r.csv", "threshold,fpr,tpr,tp,fp\ninf,0,0,0,0\n0.3,1.5,1,3,3\n");
  const std::string m = message_of<FormatError>([&] { read_roc(dir / "r.csv"); });
  EXPECT_NE(m.find("r.csv: line 3: fpr and tpr must lie in [0, 1]"), std::string::npos) << m;
}

}  // namespace
}  // namespace speechleak::report
