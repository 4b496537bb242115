#pragma once
// The report's HTML sections, each a fragment built from loaded runs. Every run-provided string goes through
// html_escape (html_escape.h).
#include <string>
#include <vector>

#include "speechleak/report/chart_specs.h"
#include "speechleak/report/run_data.h"

namespace speechleak::report {

// The paper's Table 1: rows level x attack, one column group per run (AUC [CI], TPR@0.1% FPR, TPR@1% FPR).
std::string summary_table(const std::vector<RunData>& runs);
// Per run and result: layer, direction and its source, counts, balanced accuracy, advantage.
std::string details_table(const std::vector<RunData>& runs);
// summary.json warnings, notes on non-default score directions, and the loader's own consistency warnings.
std::string warnings_section(const std::vector<RunData>& runs);
// The top `top` speakers per run and attack, most exposed first.
std::string speakers_section(const std::vector<RunData>& runs, size_t top);
// Model, seeds, data counts, command, versions; config.json in full behind a <details>.
std::string config_section(const std::vector<RunData>& runs);
// A <figure> holding the chart's canvas.
std::string chart_figure(const ChartSpec& chart, const std::string& css_class);

}  // namespace speechleak::report
