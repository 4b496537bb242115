#pragma once
// Chart.js configurations (plain JSON, rendered by the embedded library) for the report's figures: ROC curves on
// linear and log-log axes and member / non-member score histograms. No plotting code: only data and options.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/report/report_options.h"
#include "speechleak/report/run_data.h"

namespace speechleak::report {

struct ChartSpec {
  std::string id;          // id of the <canvas> the chart draws into
  std::string title;       // for the figure's heading
  nlohmann::json config;   // new Chart(canvas, config)
  std::string level;       // the level it shows
  size_t run = 0;          // histograms: index of the run it shows
};

// Levels in order of first appearance over the runs ("utterance", "speaker", ...).
std::vector<std::string> levels_of(const std::vector<RunData>& runs);

// Lower end of the log-log axes: options.log_axis_min, lowered to 1/n_nonmembers of the largest evaluation so
// every measured FPR stays on the chart.
double log_axis_floor(const std::vector<RunData>& runs, const ReportOptions& options);

// Per level: a linear and a log-log ROC chart overlaying every (run, attack) plus the chance diagonal.
// Ids: "roc-<level>-linear", "roc-<level>-log".
std::vector<ChartSpec> roc_charts(const std::vector<RunData>& runs, const ReportOptions& options);

// Per (run, result): overlaid member and non-member histograms of the scores, each normalised to its group
// size. Id: "hist-<run index>-<level>-<attack>".
std::vector<ChartSpec> histogram_charts(const std::vector<RunData>& runs, const ReportOptions& options);

// Keeps at most about max_points of a monotone ROC curve: a point stays when it enters a new cell of a linear
// grid or of a log grid (floor..1), so the curve keeps its shape on both charts. First and last point stay.
// max_points == 0 keeps all.
std::vector<RocPoint> thin_roc(const std::vector<RocPoint>& roc, size_t max_points, double log_floor);

struct Histogram {
  std::vector<double> edges;       // bins + 1 increasing edges spanning both groups
  std::vector<double> members;     // share of members per bin (sums to 1 when there are members)
  std::vector<double> nonmembers;  // share of non-members per bin
};
Histogram histogram(const std::vector<double>& members, const std::vector<double>& nonmembers, size_t bins);

}  // namespace speechleak::report
