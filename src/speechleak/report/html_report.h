#pragma once
// `speechleak report`: one self-contained HTML file (no network: Chart.js and all data are inline) describing
// one run directory, or comparing several side by side. See docs/report.md.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "speechleak/report/report_options.h"
#include "speechleak/report/run_data.h"

namespace speechleak::report {

// The Chart.js bundle. FileError naming the file and the Debian package (libjs-chart.js) when it is missing;
// FormatError when its banner says Chart.js 1 or 2 (whose config format and log axes differ).
std::string read_chartjs(const std::filesystem::path& path);

// Runs with the same run_name get their directory name appended, so table columns and legends stay distinct.
void make_run_names_unique(std::vector<RunData>& runs);

// The complete page. No clock or host data: the same runs and options give the same bytes.
std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options, std::string_view chartjs);

struct ReportStats {
  size_t runs = 0;
  size_t charts = 0;
  size_t bytes = 0;
  std::vector<std::string> warnings;  // "<run>: <warning>", for the caller to show
};

// Validates options, loads every run directory (run_loader.h), renders and writes `out` atomically.
ReportStats write_report(const std::vector<std::filesystem::path>& run_dirs, const std::filesystem::path& out,
                         const ReportOptions& options);

// write_report with default options for a job whose results are already written (an audit, the demo, a study): a
// report problem is logged as a warning ("no HTML report: <why>") instead of failing the job. Returns `out`, or
// nullopt when no report was written (`out` is then absent: no stale report is left next to new results).
std::optional<std::filesystem::path> write_report_or_warn(const std::vector<std::filesystem::path>& run_dirs,
                                                          const std::filesystem::path& out);

}  // namespace speechleak::report
