// The page itself, without a browser: sections, table layout, escaping, self-containment, errors.
#include <gtest/gtest.h>

#include <regex>

#include "report/synthetic_run.h"
#include "speechleak/report/html_report.h"
#include "speechleak/report/run_loader.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::report {
namespace {

namespace fs = std::filesystem;
using speechleak::testing::TempDir;

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

class HtmlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SyntheticRun a;
    a.name = "normal";
    a.special_speaker_ids = {"</script><b>spk&1</b>"};
    a.warnings = {"auxiliary set overlaps <evaluation> non-members: 12 speakers"};
    testing::write_synthetic_run(dir_ / "a", a);
    testing::SyntheticRun b;
    b.name = "reversed";
    b.seed = 2;
    b.separation = 0.2;
    b.low_direction_for_improved = true;
    testing::write_synthetic_run(dir_ / "b", b);
    runs_ = {load_run(dir_ / "a"), load_run(dir_ / "b")};
  }
  std::string render(ReportOptions o = {}) const { return render_report(runs_, o, "/* chart.js stand-in */"); }
  TempDir dir_;
  std::vector<report::RunData> runs_;
};

TEST_F(HtmlReportTest, SummaryTableHasOneColumnGroupPerRun) {
  const std::string html = render();
  EXPECT_NE(html.find("<th colspan=\"3\" class=\"run\">normal</th><th colspan=\"3\" class=\"run\">reversed</th>"),
            std::string::npos);
  EXPECT_EQ(count(html, "<th>AUC [CI]</th><th>TPR@0.1% FPR</th><th>TPR@1% FPR</th>"), 2u);
  // Rows level x attack: two levels, each spanning its two attacks.
  EXPECT_NE(html.find("<th rowspan=\"2\">utterance</th><td>basic</td>"), std::string::npos);
  EXPECT_NE(html.find("<th rowspan=\"2\">speaker</th><td>basic</td>"), std::string::npos);
  // Speaker level has 30 non-members: TPR@0.1% is below resolution and marked.
  EXPECT_GE(count(html, "<sup title=\"below the data's FPR resolution\">"), 4u);
}

TEST_F(HtmlReportTest, EscapesRunProvidedStrings) {
  const std::string html = render();
  EXPECT_EQ(html.find("</script><b>spk&1</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;b&gt;spk&amp;1&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("overlaps &lt;evaluation&gt; non-members"), std::string::npos);
  // The data block is one script element: its only "</" is its own end tag.
  const size_t start = html.find("<script type=\"application/json\" id=\"report-data\">");
  ASSERT_NE(start, std::string::npos);
  const size_t end = html.find("</script>", start);
  EXPECT_EQ(html.substr(start, end - start).find("</"), std::string::npos);
}

TEST_F(HtmlReportTest, WarningsAndNonDefaultDirectionsAreProminent) {
  const std::string html = render();
  const size_t warnings = html.find("<section id=\"warnings\" class=\"warnings\">");
  ASSERT_NE(warnings, std::string::npos);
  EXPECT_LT(warnings, html.find("<section id=\"summary\">"));  // before the numbers
  EXPECT_NE(html.find("utterance/improved: score direction &#39;low&#39; (calibrated on 40 labelled items)"),
            std::string::npos);
}

// A calibration that chose "high" applied the paper's rule: nothing to warn about.
TEST_F(HtmlReportTest, ACalibratedHighDirectionIsNotAWarning) {
  std::vector<report::RunData> calibrated = {runs_[0]};
  for (auto& r : calibrated[0].results) {
    r.direction = "high";
    r.direction_source = "calibrated on 8 labelled speakers held out of the evaluation (calibration AUC 0.938)";
    r.paper_direction = true;
  }
  const std::string html = render_report(calibrated, {}, "");
  EXPECT_EQ(html.find("score direction"), std::string::npos);
  calibrated[0].results[0].paper_direction = false;
  calibrated[0].results[0].direction = "low";
  EXPECT_NE(render_report(calibrated, {}, "").find("score direction &#39;low&#39;"), std::string::npos);
}

TEST_F(HtmlReportTest, TheBlindBaselineIsStatedAboveTheSummaryTableAndAConfoundedSplitStandsOut) {
  std::vector<report::RunData> runs = runs_;
  EXPECT_EQ(render_report(runs, {}, "").find("blind baseline"), std::string::npos) << "no baseline, no line";
  runs[0].blind_baseline = nlohmann::json{{"auc", 0.52}, {"auc_interval", {{"lower", 0.41}, {"upper", 0.63}}},
                                          {"confounded", false}};
  runs[1].blind_baseline = nlohmann::json{{"auc", 0.97}, {"auc_interval", {{"lower", 0.93}, {"upper", 1.0}}},
                                          {"confounded", true}};
  const std::string html = render_report(runs, {}, "");
  const size_t clean = html.find("<b>normal</b>: blind baseline (audio descriptors only, no model) AUC 0.520 "
                                 "[0.410, 0.630]: no sign of a confounded split.");
  const size_t confounded = html.find("<p class=\"warnings\"><b>reversed</b>: blind baseline (audio descriptors "
                                      "only, no model) AUC 0.970 [0.930, 1.000]: the split is confounded");
  ASSERT_NE(clean, std::string::npos);
  ASSERT_NE(confounded, std::string::npos);
  EXPECT_LT(confounded, html.find("<table class=\"summary\">"));
}

TEST_F(HtmlReportTest, NoWarningsSaysSo) {
  std::vector<report::RunData> clean = {runs_[0]};
  clean[0].warnings.clear();
  EXPECT_NE(render_report(clean, {}, "").find("<section id=\"warnings\" class=\"warnings none\">"), std::string::npos);
}

TEST_F(HtmlReportTest, HasEveryChartCanvasAndAHiddenNoiseMaskingSectionWithoutSuchRuns) {
  const std::string html = render();
  // 2 levels x (linear, log) ROC charts + one histogram per (run, level, attack).
  EXPECT_EQ(count(html, "<canvas "), 4u + 8u);
  for (const char* id : {"roc-utterance-linear", "roc-utterance-log", "roc-speaker-linear", "roc-speaker-log",
                         "hist-0-utterance-basic", "hist-1-speaker-improved"})
    EXPECT_NE(html.find(std::string("<canvas id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(html.find("<section id=\"noise-masking\" hidden></section>"), std::string::npos);
}

// A noise-masking run directory (docs/noise-masking.md) as `speechleak noise-mask` writes it, by hand.
void write_noise_masking_run(const fs::path& dir) {
  fs::create_directories(dir / "noise-masking");
  write_text_file_atomically(dir / "config.json", R"({"command": "speechleak noise-mask --asr m"})");
  const std::string header = "set\tutt_id\tspeaker_id\tname\tguess\toutcome\tany_name\tspellable\tcontext_wer\t"
                             "context_cer\tcontext_words\tconfidence\tdraws_agreeing\tmasked_s\tkept_tau=0\t"
                             "hypothesis\tblanked\tunmasked_hypothesis\tunmasked_guess\n";
  write_text_file_atomically(dir / "noise-masking" / "outcomes.tsv",
                             header +
                                 "target\tu1\ts\tISAAC\tISAAC\texact\t1\t1\t0\t0\t2\t0.9\t1\t0.5\t1\tMEET ISAAC "
                                 "<NOW>\tMEET ____ NOW\tMEET ISAAC NOW\tISAAC\n"
                                 "target\tu2\ts\tELLEN\tEVAN\tother-name\t1\t1\t0\t0\t2\t0.5\t1\t0.5\t1\tSEE EVAN "
                                 "GO\tSEE ____ GO\tSEE ELLEN GO\tELLEN\n"
                                 "control\tc1\ts\tISAAC\tISAAC\texact\t1\t1\t0\t0\t2\t0.9\t1\t0.5\t1\tASK ISAAC\t"
                                 "ASK ____\tASK ISAAC\tISAAC\n");
  const std::string rate = R"({"count": 1, "rate": 0.5, "wilson95": [0.09, 0.91]})";
  const std::string set = R"({"set": "%s", "counts": {"trials": 2, "exact": )" + rate + R"(, "any_name": )" + rate +
                          R"(, "unmasked_exact": )" + rate +
                          R"(, "precision": 0.5}, "filter_context_wer": [{"tau": 0, "kept": 2, "exact": 1,
                          "any_name": 2, "precision": 0.5, "recall": 0.5}], "filter_confidence": [],
                          "baselines": {"chance": 0.05, "most_frequent_name": "ISAAC", "most_frequent_rate": 0.5},
                          "unmasked": {"wer": 0.25, "cer": 0.1}})";
  auto named = [&](const char* name) {
    std::string s = set;
    s.replace(s.find("%s"), 2, name);
    return s;
  };
  write_text_file_atomically(dir / "summary.json", R"({"kind": "noise-masking", "noise_masking": {"inventory_size": 20,
      "sets": [)" + named("target") + "," + named("control") + R"(], "comparisons": [{"first": "target",
      "second": "control", "gap": 0.0, "p_value": 0.75, "test": "fisher"}]}})");
}

TEST_F(HtmlReportTest, NoiseMaskingRunsFillTheSectionSideBySideWithAudits) {
  write_noise_masking_run(dir_ / "nm");
  auto runs = runs_;
  runs.push_back(load_run(dir_ / "nm"));
  ASSERT_TRUE(runs.back().noise_masking);
  ASSERT_EQ(runs.back().recovered.size(), 1u) << "exact recoveries of the target set only";
  EXPECT_EQ(runs.back().recovered[0].hypothesis, "MEET ISAAC <NOW>");
  const std::string html = render_report(runs, {}, "");
  const auto at = html.find("<section id=\"noise-masking\">");
  ASSERT_NE(at, std::string::npos);
  const std::string section = html.substr(at, html.find("</section>", at) - at);
  EXPECT_EQ(count(section, "<td>target</td>"), 2u) << "its rates row and its one filter point";
  EXPECT_NE(section.find("50.0% <span class=\"ci\">[9.0, 91.0]</span>"), std::string::npos);
  EXPECT_NE(section.find("one-sided fisher p = 0.75"), std::string::npos);
  EXPECT_NE(section.find("MEET ISAAC &lt;NOW&gt;"), std::string::npos) << "hypotheses are escaped";
  EXPECT_EQ(section.find("EVAN"), std::string::npos) << "only exact recoveries are examples";
  EXPECT_NE(html.find("id=\"roc-utterance-linear\""), std::string::npos) << "the audits' charts stay";
  // A malformed noise_masking object is refused, naming the file.
  write_text_file_atomically(dir_ / "nm" / "summary.json", R"({"noise_masking": {"sets": 3}})");
  EXPECT_THROW(load_run(dir_ / "nm"), FormatError);
  // So is every field the section reads when its type is not what a noise-masking run writes (a float past 2^64
  // as a count was undefined behaviour), named with its path.
  for (const auto& [nm, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"sets": [3]})", "noise_masking.sets[0]: expected an object"},
           {R"({"sets": [{"counts": {"trials": 1e300}}]})", "noise_masking.sets[0].counts.trials"},
           {R"({"sets": [{"counts": {"exact": {"wilson95": "x"}}}]})", "noise_masking.sets[0].counts.exact.wilson95"},
           {R"({"sets": [{"set": 7}]})", "noise_masking.sets[0].set"},
           {R"({"sets": [{"filter_confidence": [{"kept": -1}]}]})", "noise_masking.sets[0].filter_confidence[0].kept"},
           {R"({"sets": [], "comparisons": [{"p_value": "small"}]})", "noise_masking.comparisons[0].p_value"}}) {
    write_text_file_atomically(dir_ / "nm" / "summary.json", R"({"noise_masking": )" + nm + "}");
    try {
      (void)load_run(dir_ / "nm");
      ADD_FAILURE() << "accepted " << nm;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("summary.json"), std::string::npos) << e.what();
    }
  }
}

TEST_F(HtmlReportTest, SpeakerTableIsLimitedToTopN) {
  ReportOptions o;
  o.top_speakers = 5;
  const std::string html = render(o);
  // 2 runs x 2 attacks x 5 rows.
  EXPECT_EQ(count(html, "<tr class=\"member\">") + count(html, "<tr class=\"nonmember\">"), 20u);
  EXPECT_NE(html.find("Members among the top 5: "), std::string::npos);
}

TEST_F(HtmlReportTest, IsSelfContainedAndDeterministic) {
  const std::string html = render();
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*"(https?:)?//)")));
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("<script>/* chart.js stand-in */</script>"), std::string::npos);
  EXPECT_EQ(html, render());
  EXPECT_EQ(html.find("id=\"selfcheck\""), std::string::npos);  // test mode only
  ReportOptions o;
  o.self_check = true;
  EXPECT_NE(render(o).find("<pre id=\"selfcheck\">"), std::string::npos);
}

TEST_F(HtmlReportTest, ConfigSectionShowsSeedsCountsAndFingerprint) {
  const std::string html = render();
  EXPECT_NE(html.find("sha256:3f2a9c0d1"), std::string::npos);
  EXPECT_NE(html.find("<th>seeds</th><td><span class=\"key\">attacker</span> 8 <span class=\"sep\">·</span> "
                      "<span class=\"key\">bootstrap</span> 1"),
            std::string::npos);
  EXPECT_NE(html.find("<th>corpus: members</th>"), std::string::npos);
}

TEST_F(HtmlReportTest, DuplicateRunNamesAreDisambiguated) {
  std::vector<report::RunData> runs = {runs_[0], runs_[0]};
  runs[1].dir = dir_ / "copy";
  make_run_names_unique(runs);
  EXPECT_NE(runs[0].run_name, runs[1].run_name);
  EXPECT_NE(runs[1].run_name.find("copy"), std::string::npos);
}

TEST(ReadChartJs, MissingFileNamesThePackage) {
  try {
    read_chartjs("/nonexistent/chart.min.js");
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/chart.min.js"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("libjs-chart.js"), std::string::npos) << e.what();
  }
}

TEST(ReadChartJs, RejectsChartJs2) {
  TempDir dir;
  speechleak::testing::write_text(dir / "old.js", "/*!\n * Chart.js v2.9.4\n */\n");
  EXPECT_THROW(read_chartjs(dir / "old.js"), FormatError);
}

TEST(ReportOptions, ValidateNamesTheField) {
  ReportOptions o;
  EXPECT_NO_THROW(o.validate());
  o.histogram_bins = 1;
  try {
    o.validate();
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("histogram_bins"), std::string::npos);
  }
  o = {};
  o.log_axis_min = 0;
  EXPECT_THROW(o.validate(), InvalidArgument);
  EXPECT_NE(ReportOptions{}.to_string().find("top_speakers=25"), std::string::npos);
}

TEST(WriteReport, WritesTheFileAtomicallyAndCountsCharts) {
  TempDir dir;
  testing::write_synthetic_run(dir / "run", {});
  TempDir js;
  speechleak::testing::write_text(js / "chart.min.js", "/* Chart.js v3.9.1 stand-in */");
  ReportOptions o;
  o.chartjs_path = js / "chart.min.js";
  const ReportStats stats = write_report({dir / "run"}, dir / "out" / "report.html", o);
  EXPECT_EQ(stats.runs, 1u);
  EXPECT_EQ(stats.charts, 8u);
  EXPECT_EQ(stats.bytes, fs::file_size(dir / "out" / "report.html"));
  EXPECT_NE(read_text_file(dir / "out" / "report.html").find("Chart.js v3.9.1 stand-in"), std::string::npos);
}

}  // namespace
}  // namespace speechleak::report
