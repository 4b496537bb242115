// speechleak report RUN_DIR... [--out report.html]: one offline HTML file describing one run directory or
// comparing several (docs/report.md).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "speechleak/util/number_format.h"
#include "speechleak/report/html_report.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {

namespace {

struct ReportArgs {
  std::vector<std::string> run_dirs;
  std::string out;
  report::ReportOptions options;
};

// One run: the run directory's own report.html (docs/run-directory.md). Several: --out is required, since no
// single run directory owns a comparison.
std::filesystem::path output_path(const ReportArgs& args) {
  if (!args.out.empty()) return args.out;
  if (args.run_dirs.size() == 1) return std::filesystem::path(args.run_dirs[0]) / "report.html";
  throw invalid_argument("--out", "an output file when comparing several runs",
                         std::to_string(args.run_dirs.size()) + " run directories and no --out");
}

void run_report(const ReportArgs& args) {
  const std::filesystem::path out = output_path(args);
  std::vector<std::filesystem::path> dirs(args.run_dirs.begin(), args.run_dirs.end());
  log_debug("report options: " + args.options.to_string());
  const report::ReportStats stats = report::write_report(dirs, out, args.options);
  for (const std::string& w : stats.warnings) log_warn(w);
  log_info("wrote " + out.string() + " (" + std::to_string(stats.runs) + (stats.runs == 1 ? " run, " : " runs, ") +
           std::to_string(stats.charts) + " charts, " + std::to_string((stats.bytes + 1023) / 1024) + " KiB)");
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  report::ReportOptions& o = args->options;
  auto* cmd = app.add_subcommand("report", "Write an offline HTML report of one or more run directories "
                                           "(several runs are compared side by side; see docs/report.md)");
  cmd->add_option("run_dirs", args->run_dirs, "Run directories written by `speechleak audit` / `demo`")
      ->required()
      ->type_name("RUN_DIR...");
  cmd->add_option("-o,--out", args->out, "Output HTML file (default with one run: RUN_DIR/report.html)")
      ->type_name("FILE");
  cmd->add_option("--title", o.title, "Page title (default: the run names)");
  cmd->add_option("--top-speakers", o.top_speakers, "Rows of the most-exposed-speakers table per run and attack")
      ->capture_default_str();
  cmd->add_option("--histogram-bins", o.histogram_bins, "Bins of the member / non-member score histograms")
      ->capture_default_str();
  cmd->add_option("--chartjs", o.chartjs_path, "Chart.js bundle to embed (Debian package libjs-chart.js)")
      ->capture_default_str()
      ->type_name("FILE");
  cmd->add_option("--log-axis-min", o.log_axis_min,
                  "Lower end of the log-log ROC axes (lowered to 1/n_nonmembers when the data resolve less)")
      ->capture_default_str();
  cmd->add_option("--max-roc-points", o.max_roc_points, "Thin each ROC curve to about this many points (0: all)")
      ->capture_default_str();
  cmd->add_flag("--self-check", o.self_check,
                "Add a script that checks, in the browser, that every chart rendered (for tests)");
  cmd->callback([args] { run_report(*args); });
}

}  // namespace speechleak::cli
