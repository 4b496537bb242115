#include "speechleak/report/html_report.h"

#include <cmath>
#include <map>
#include <regex>

#include "speechleak/report/chart_specs.h"
#include "speechleak/report/html_assets.h"
#include "speechleak/report/html_escape.h"
#include "speechleak/report/html_sections.h"
#include "speechleak/report/noise_masking_section.h"
#include "speechleak/report/run_loader.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "speechleak/util/file_io.h"

namespace speechleak::report {

namespace fs = std::filesystem;

namespace {

std::string default_title(const std::vector<RunData>& runs) {
  std::string names;
  for (size_t i = 0; i < runs.size(); ++i)
    names += (i == 0 ? "" : (i + 1 == runs.size() ? " vs " : ", ")) + runs[i].run_name;
  return "speechleak report: " + names;
}

std::string header(const std::vector<RunData>& runs, const std::string& title) {
  return "<header><div class=\"inner\"><h1>" + html_escape(title) + "</h1>\n<p class=\"meta\">Membership-inference "
         "audit of " + std::to_string(runs.size()) + (runs.size() == 1 ? " run" : " runs") +
         ", report written by speechleak " SPEECHLEAK_VERSION ".</p>\n<nav><a href=\"#warnings\">Warnings</a>"
         "<a href=\"#summary\">Summary</a><a href=\"#roc\">ROC curves</a><a href=\"#histograms\">Score "
         "distributions</a><a href=\"#speakers\">Exposed speakers</a><a href=\"#config\">Configuration</a></nav>"
         "</div></header>\n";
}

// One line per run that has a blind baseline: the model-free classifier's AUC and whether the split is confounded.
std::string blind_baseline_lines(const std::vector<RunData>& runs) {
  std::string h;
  for (const RunData& run : runs) {
    if (!run.blind_baseline) continue;
    const auto& b = *run.blind_baseline;
    std::string auc = text::fixed(b.at("auc").get<double>(), 3);
    if (b.contains("auc_interval") && b.at("auc_interval").is_object())
      auc += " [" + text::fixed(b.at("auc_interval").value("lower", 0.0), 3) + ", " +
             text::fixed(b.at("auc_interval").value("upper", 0.0), 3) + "]";
    const bool confounded = b.value("confounded", false);
    h += std::string("<p class=\"") + (confounded ? "warnings" : "note") + "\"><b>" + html_escape(run.run_name) +
         "</b>: blind baseline (audio descriptors only, no model) AUC " + auc +
         (confounded ? ": the split is confounded; the AUCs below overstate what the model leaks."
                     : ": no sign of a confounded split.") +
         "</p>\n";
  }
  return h;
}

std::string summary_section(const std::vector<RunData>& runs) {
  return "<section id=\"summary\"><h2>Summary</h2>\n" + blind_baseline_lines(runs) + summary_table(runs) +
         "<p class=\"footnote\">AUC with its bootstrap interval in brackets. TPR@x FPR: the highest true positive "
         "rate at a false positive rate of at most x (LiRA), with its bootstrap interval in percent. &dagger;: x is "
         "below 1/n<sub>non-members</sub>, so the data cannot resolve it and the value is the TPR at FPR 0. Scores "
         "are oriented so that higher means &ldquo;member&rdquo;.</p>\n<h3>Attack details</h3>\n" +
         details_table(runs) + "</section>\n";
}

// "10<sup>-5</sup>": the log axes' lower end, which log_axis_floor() keeps a power of ten.
std::string power_of_ten(double x) {
  return "10<sup>" + std::to_string(static_cast<int>(std::lround(std::log10(x)))) + "</sup>";
}

std::string roc_section(const std::vector<std::string>& levels, const std::vector<ChartSpec>& charts, double floor) {
  std::string h = "<section id=\"roc\"><h2>ROC curves</h2>\n<p class=\"note\">Left: linear axes (the area under the "
                  "curve is the AUC). Right: log-log axes from " + power_of_ten(floor) +
                  " to 1, as LiRA plots them: the left part shows how many members an attacker identifies while "
                  "almost never accusing a non-member, which the AUC hides. The grey dashed line is chance; a curve "
                  "at FPR 0 sits on the left edge.</p>\n";
  for (size_t i = 0; i < levels.size(); ++i)
    h += "<h3>" + html_escape(levels[i]) + " level</h3>\n<div class=\"chart-row\">" +
         chart_figure(charts[2 * i], "roc") + chart_figure(charts[2 * i + 1], "roc") + "</div>\n";
  return h + "</section>\n";
}

// Per level, one row per run with its attacks side by side, so runs compare down a column.
std::string histogram_section(const std::vector<std::string>& levels, size_t n_runs,
                              const std::vector<ChartSpec>& charts) {
  std::string h = "<section id=\"histograms\"><h2>Score distributions</h2>\n<p class=\"note\">Members (red) and "
                  "non-members (blue), each normalised to its own group. The further apart, the more the model "
                  "leaks; overlap means the attack cannot tell them apart.</p>\n";
  for (const std::string& level : levels) {
    h += "<h3>" + html_escape(level) + " level</h3>\n";
    for (size_t run = 0; run < n_runs; ++run) {
      std::string row;
      for (const ChartSpec& c : charts)
        if (c.level == level && c.run == run) row += chart_figure(c, "hist");
      if (!row.empty()) h += "<div class=\"chart-row\">" + row + "</div>\n";
    }
  }
  return h + "</section>\n";
}

// A later issue fills this section; the comment and the hidden element mark where and under which id.
std::string data_block(const std::vector<ChartSpec>& roc, const std::vector<ChartSpec>& hist,
                       const std::vector<RunData>& runs) {
  nlohmann::json charts = nlohmann::json::array();
  for (const auto* list : {&roc, &hist})
    for (const ChartSpec& c : *list) charts.push_back({{"id", c.id}, {"title", c.title}, {"config", c.config}});
  nlohmann::json names = nlohmann::json::array();
  for (const RunData& r : runs) names.push_back(r.run_name);
  const nlohmann::json data = {{"speechleak_version", SPEECHLEAK_VERSION}, {"runs", names}, {"charts", charts}};
  return "<script type=\"application/json\" id=\"report-data\">" + json_for_script(data) + "</script>\n";
}

std::string script(std::string_view js) { return "<script>" + js_for_inline_script(js) + "</script>\n"; }

}  // namespace

std::string read_chartjs(const fs::path& path) {
  std::string js;
  try {
    js = read_text_file(path);
  } catch (const FileError&) {
    throw FileError(path, "Chart.js not found; install the Debian package libjs-chart.js (apt-get install "
                          "libjs-chart.js) or pass the path of chart.min.js (--chartjs)");
  }
  std::smatch m;
  const std::string banner = js.substr(0, 2000);
  if (std::regex_search(banner, m, std::regex(R"(Chart\.js v(\d+)\.)")) && std::stoi(m[1]) < 3)
    throw FormatError(path, "Chart.js " + m[1].str() + ".x; the report needs Chart.js 3 or later (libjs-chart.js)");
  return js;
}

void make_run_names_unique(std::vector<RunData>& runs) {
  std::map<std::string, int> count;
  for (const RunData& r : runs) ++count[r.run_name];
  for (RunData& r : runs)
    if (count[r.run_name] > 1) r.run_name += " (" + fs::absolute(r.dir).lexically_normal().string() + ")";
}

std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options, std::string_view chartjs) {
  options.validate();
  if (runs.empty()) throw invalid_argument("runs", "at least one run directory", "none");
  const std::string title = options.title.empty() ? default_title(runs) : options.title;
  const std::vector<ChartSpec> roc = roc_charts(runs, options);
  const std::vector<ChartSpec> hist = histogram_charts(runs, options);
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                  "content=\"width=device-width, initial-scale=1\">\n<title>" + html_escape(title) +
                  "</title>\n<style>" + std::string(report_css()) + "</style>\n";
  if (options.self_check) h += script(self_check_head_js());
  h += "</head>\n<body>\n" + header(runs, title) + "<main>\n" + warnings_section(runs) + summary_section(runs) +
       roc_section(levels_of(runs), roc, log_axis_floor(runs, options)) + histogram_section(levels_of(runs), runs.size(), hist) +
       "<section id=\"speakers\"><h2>Most exposed speakers</h2>\n<p class=\"note\">Speakers ranked by their "
       "speaker-level score (higher = more likely in the training data), top " + std::to_string(options.top_speakers) +
       " per attack; members are shaded.</p>\n" + speakers_section(runs, options.top_speakers) + "</section>\n" +
       noise_masking_section(runs) + "<section id=\"config\"><h2>Configuration</h2>\n" + config_section(runs) +
       "</section>\n";
  if (options.self_check) h += "<h2>Self-check</h2>\n<pre id=\"selfcheck\">pending</pre>\n";
  h += "</main>\n<footer>Charts drawn by Chart.js (embedded). This file needs no network.</footer>\n" +
       data_block(roc, hist, runs) + script(chartjs) + script(chart_bootstrap_js());
  if (options.self_check) h += script(self_check_tail_js());
  return h + "</body>\n</html>\n";
}

ReportStats write_report(const std::vector<fs::path>& run_dirs, const fs::path& out, const ReportOptions& options) {
  options.validate();
  if (run_dirs.empty()) throw invalid_argument("run directories", "at least one", "none");
  const std::string chartjs = read_chartjs(options.chartjs_path);
  std::vector<RunData> runs;
  for (const fs::path& dir : run_dirs) runs.push_back(load_run(dir));
  make_run_names_unique(runs);
  const std::string html = render_report(runs, options, chartjs);
  write_text_file_atomically(out, html);
  ReportStats stats{runs.size(), 2 * levels_of(runs).size(), html.size(), {}};
  for (const RunData& r : runs) {
    stats.charts += r.results.size();  // one histogram per result
    for (const std::string& w : r.warnings) stats.warnings.push_back(r.run_name + ": " + w);
  }
  return stats;
}

std::optional<std::filesystem::path> write_report_or_warn(const std::vector<std::filesystem::path>& run_dirs,
                                                          const std::filesystem::path& out) {
  std::error_code ignored;
  std::filesystem::remove(out, ignored);  // never leave an earlier run's report next to new results
  try {
    const auto stats = write_report(run_dirs, out, ReportOptions{});
    for (const auto& w : stats.warnings) log_warn("report: " + w);
    return out;
  } catch (const std::exception& e) {
    log_warn(std::string("no HTML report: ") + e.what());
    return std::nullopt;
  }
}

}  // namespace speechleak::report
