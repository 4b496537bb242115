#pragma once
// The fixed parts of the report page: its style sheet, the few lines that hand each chart config to Chart.js,
// and the test-mode self-check.
#include <string_view>

namespace speechleak::report {

std::string_view report_css();
// Reads the JSON block #report-data and runs `new Chart(canvas, config)` for each chart; no drawing code.
std::string_view chart_bootstrap_js();
// Self-check (ReportOptions::self_check). The head part records uncaught errors, rejected promises and
// console.error / console.warn calls; the tail part, on window load, counts Chart instances and the inked and
// coloured pixels of every canvas and writes a JSON verdict into <pre id="selfcheck">:
// {"ok", "expected", "charts", "canvases": [{"id", "width", "height", "inked", "colored"}], "blank", "errors"}.
std::string_view self_check_head_js();
std::string_view self_check_tail_js();

}  // namespace speechleak::report
