#include "speechleak/report/report_options.h"

#include <sstream>

#include "speechleak/util/number_format.h"
#include "speechleak/util/error.h"

namespace speechleak::report {

void ReportOptions::validate() const {
  if (top_speakers < 1) throw invalid_argument("top_speakers", "at least 1", std::to_string(top_speakers));
  if (histogram_bins < 2 || histogram_bins > 500)
    throw invalid_argument("histogram_bins", "2..500", std::to_string(histogram_bins));
  if (chartjs_path.empty()) throw invalid_argument("chartjs_path", "a file path", "an empty path");
  if (!(log_axis_min > 0 && log_axis_min <= 0.1))
    throw invalid_argument("log_axis_min", "a number in (0, 0.1]", text::shortest(log_axis_min));
  if (max_roc_points != 0 && max_roc_points < 10)
    throw invalid_argument("max_roc_points", "0 (keep all) or at least 10", std::to_string(max_roc_points));
}

std::string ReportOptions::to_string() const {
  return "title=" + (title.empty() ? std::string("(default)") : title) + " top_speakers=" +
         std::to_string(top_speakers) + " histogram_bins=" + std::to_string(histogram_bins) +
         " chartjs_path=" + chartjs_path.string() + " log_axis_min=" + text::shortest(log_axis_min) +
         " max_roc_points=" + std::to_string(max_roc_points) + " self_check=" + (self_check ? "on" : "off");
}

}  // namespace speechleak::report
