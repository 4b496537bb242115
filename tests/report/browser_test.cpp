// The report in a real browser: headless Chromium opens a two-run report (offline: every host unresolvable),
// the page's self-check (ReportOptions::self_check) records script errors and inspects every chart canvas, and
// the test reads the verdict from --dump-dom. A screenshot is kept as a test artefact.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "report/synthetic_run.h"
#include "speechleak/report/html_report.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::report {
namespace {

namespace fs = std::filesystem;
using speechleak::testing::run_command;
using speechleak::testing::TempDir;

// SPEECHLEAK_TEST_ARTIFACTS, else <build dir>/test-artifacts (the build dir is where the CLI target lands; the
// test does not need the CLI built).
fs::path artifact_dir() {
  if (const char* env = std::getenv("SPEECHLEAK_TEST_ARTIFACTS")) return env;
  return fs::path(SPEECHLEAK_CLI_PATH).parent_path() / "test-artifacts";
}

std::string find_chromium() {
  if (const char* env = std::getenv("SPEECHLEAK_CHROMIUM")) return env;
  for (const char* name : {"chromium", "chromium-browser"}) {
    std::string out;
    if (run_command(std::string("command -v ") + name, &out) == 0) return name;
  }
  return {};
}

std::string shell_quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string html_unescape(std::string s) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
                                 {"&nbsp;", " "}, {"&amp;", "&"}})
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  return s;
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    ASSERT_FALSE(chromium_.empty()) << "Chromium is needed for the report's browser test: install the Debian "
                                       "package `chromium` (apt-get install chromium), or set SPEECHLEAK_CHROMIUM";
    testing::SyntheticRun normal;
    normal.name = "hubert-base (normal pretraining)";
    normal.special_speaker_ids = {"</script><b>spk&1</b>"};
    normal.warnings = {"auxiliary set overlaps evaluation non-members: 12 speakers"};
    testing::write_synthetic_run(dir_ / "normal", normal);
    testing::SyntheticRun reversed;
    reversed.name = "hubert-base (reversed pretraining)";
    reversed.seed = 2;
    reversed.separation = 0.25;
    reversed.low_direction_for_improved = true;
    testing::write_synthetic_run(dir_ / "reversed", reversed);
    fs::create_directories(artifact_dir());
    report_ = artifact_dir() / "report.html";
    ReportOptions options;
    options.self_check = true;
    stats_ = write_report({dir_ / "normal", dir_ / "reversed"}, report_, options);
  }

  // Headless Chromium with no network; stdout to `out`, stderr (console log) to `err`. Returns the exit status.
  int chromium(const std::string& mode, const fs::path& out, const fs::path& err) {
    const std::string cmd = "{ timeout 60 " + chromium_ +
                            " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars"
                            " --enable-logging=stderr --v=0 --force-device-scale-factor=1"
                            " --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir=" +
                            shell_quoted(dir_ / "chromium-profile") + " " + mode + " " + shell_quoted("file://" + report_.string()) +
                            " > " + shell_quoted(out) + " 2> " + shell_quoted(err) + "; }";
    std::string ignored;
    return run_command(cmd, &ignored);
  }

  TempDir dir_;
  std::string chromium_;
  fs::path report_;
  ReportStats stats_;
};

TEST_F(BrowserTest, EveryChartRendersWithoutErrors) {
  const fs::path dom = dir_ / "dom.html", err = dir_ / "chromium.log";
  ASSERT_EQ(chromium("--virtual-time-budget=5000 --dump-dom", dom, err), 0) << read_text_file(err);
  const std::string html = read_text_file(dom);
  const size_t open = html.find("<pre id=\"selfcheck\">");
  ASSERT_NE(open, std::string::npos) << "no self-check element in the dumped DOM";
  const size_t start = open + std::string("<pre id=\"selfcheck\">").size();
  const std::string text = html_unescape(html.substr(start, html.find("</pre>", start) - start));
  ASSERT_NE(text, "pending") << "the self-check never ran (page scripts failed to load?)";
  const nlohmann::json verdict = nlohmann::json::parse(text);
  EXPECT_EQ(verdict["errors"], nlohmann::json::array()) << text;
  EXPECT_EQ(verdict["blank"], nlohmann::json::array()) << text;
  EXPECT_EQ(verdict["expected"], 12) << text;  // 2 levels x 2 ROC scales + 2 runs x 2 levels x 2 attacks
  EXPECT_EQ(verdict["charts"], 12) << text;
  EXPECT_EQ(verdict["canvases"].size(), 12u) << text;
  EXPECT_EQ(stats_.charts, 12u);
  EXPECT_TRUE(verdict["ok"].get<bool>()) << text;
  EXPECT_NE(html.find("data-selfcheck=\"ok\""), std::string::npos);
  // The browser's own console log: any console message from the page is an error or warning we did not expect.
  for (const std::string& line : read_lines(err))
    EXPECT_EQ(line.find(":CONSOLE"), std::string::npos) << line;
}

TEST_F(BrowserTest, ScreenshotIsKeptAsAnArtefact) {
  const fs::path png = artifact_dir() / "report.png";
  fs::remove(png);
  const fs::path out = dir_ / "stdout.txt", err = dir_ / "chromium.log";
  ASSERT_EQ(chromium("--virtual-time-budget=5000 --window-size=1400,3000 --screenshot=" + shell_quoted(png), out, err), 0)
      << read_text_file(err);
  ASSERT_TRUE(fs::exists(png)) << read_text_file(err);
  const std::string bytes = read_text_file(png);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_GT(bytes.size(), 50'000u) << "a blank page compresses to a few kB";
  std::cout << "report screenshot: " << png.string() << "\nreport: " << report_.string() << "\n";
}

}  // namespace
}  // namespace speechleak::report
