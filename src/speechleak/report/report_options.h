#pragma once
// Settings of `speechleak report`: what the HTML report shows and where it finds the charting library.
#include <cstddef>
#include <filesystem>
#include <string>

namespace speechleak::report {

// Debian's libjs-chart.js (Chart.js 3.x, UMD build): read at report time and embedded inline.
inline constexpr const char* kDefaultChartJsPath = "/usr/share/javascript/chart.js/chart.min.js";

struct ReportOptions {
  // Page title and heading; empty: "speechleak report: <run names>".
  std::string title;
  // Rows of the "most exposed speakers" table per (run, attack); at least 1.
  size_t top_speakers = 25;
  // Bins of the member / non-member score histograms; 2..500.
  size_t histogram_bins = 30;
  // Chart.js UMD bundle embedded into the page (package libjs-chart.js).
  std::filesystem::path chartjs_path = kDefaultChartJsPath;
  // Lower end of both log-log ROC axes (LiRA plots 1e-5..1). Lowered to 1/n_nonmembers when the data resolve
  // smaller FPRs, so no measured point falls off the chart. In (0, 0.1].
  double log_axis_min = 1e-5;
  // ROC curves are thinned to about this many points per curve (a run with 100k items would otherwise embed
  // 100k points per curve); points that matter on linear OR log axes are kept. 0 keeps every point.
  size_t max_roc_points = 2000;
  // Test mode: adds a script that records page errors and checks that every chart canvas has pixels, writing
  // the verdict into <pre id="selfcheck"> for a headless browser's --dump-dom.
  bool self_check = false;

  void validate() const;  // throws InvalidArgument naming the field
  std::string to_string() const;
};

}  // namespace speechleak::report
