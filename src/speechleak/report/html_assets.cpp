#include "speechleak/report/html_assets.h"

namespace speechleak::report {

std::string_view report_css() {
  return R"CSS(
:root { --ink: #1d2330; --muted: #5b6475; --line: #d7dce5; --warn-bg: #fff4e0; --warn-line: #e0a030;
        --member: #fbe9e9; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #f6f7f9; }
main { max-width: 1360px; margin: 0 auto; padding: 0 24px 48px; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 18px 24px 10px; }
header .inner { max-width: 1360px; margin: 0 auto; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
h4 { font-size: 14px; margin: 0 0 4px; }
p.meta, p.note, .footnote { color: var(--muted); font-size: 13px; margin: 4px 0; }
nav a { margin-right: 14px; font-size: 14px; color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 4px 20px 18px;
          margin-top: 20px; }
section > h2 { margin-top: 14px; }
.warnings { background: var(--warn-bg); border: 2px solid var(--warn-line); }
.warnings.none { background: #eef7ee; border: 1px solid #9cc79c; }
.warnings ul { margin: 6px 0; padding-left: 22px; }
.warnings li { margin: 3px 0; }
.warnings li.direction::marker { content: "⇅ "; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 9px; text-align: left; vertical-align: top; }
table.data td, table.data th { padding: 3px 8px; }
table.details td:first-child { white-space: nowrap; }
table.facts .key { color: var(--muted); }
table.facts .sep { color: var(--line); margin: 0 4px; }
thead th { background: #eef1f5; }
th.run { text-align: center; background: #e3e9f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.missing { color: var(--muted); text-align: center; }
.ci { color: var(--muted); font-size: 12px; }
table.summary tbody th { background: #f7f8fa; }
table.data tr.member td { background: var(--member); }
table.facts th { background: #f7f8fa; white-space: nowrap; width: 1%; }
table.facts td { word-break: break-all; }
code, pre { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: #f4f5f7; border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 480px; }
details summary { cursor: pointer; color: var(--accent); margin: 8px 0; }
.chart-row { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px; margin-bottom: 18px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 4px; padding: 8px; background: #fff; }
figure.roc .chart-box { position: relative; height: 480px; }
figure.hist .chart-box { position: relative; height: 300px; }
.speaker-tables { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
.run-config { margin-bottom: 16px; }
#selfcheck { white-space: pre-wrap; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
)CSS";
}

std::string_view chart_bootstrap_js() {
  return R"JS(
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  if (typeof Chart === "undefined") throw new Error("speechleak report: the embedded Chart.js did not load");
  data.charts.forEach(function (spec) {
    new Chart(document.getElementById(spec.id), spec.config);
  });
})();
)JS";
}

std::string_view self_check_head_js() {
  return R"JS(
(function () {
  "use strict";
  var errors = [];
  window.__speechleakSelfCheckErrors = errors;
  window.addEventListener("error", function (e) { errors.push("error: " + e.message); });
  window.addEventListener("unhandledrejection", function (e) { errors.push("unhandled rejection: " + e.reason); });
  ["error", "warn"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      errors.push("console." + level + ": " + Array.prototype.join.call(arguments, " "));
      return original.apply(console, arguments);
    };
  });
})();
)JS";
}

std::string_view self_check_tail_js() {
  return R"JS(
window.addEventListener("load", function () {
  "use strict";
  var expected = JSON.parse(document.getElementById("report-data").textContent).charts.length;
  var canvases = [], blank = [];
  document.querySelectorAll("canvas").forEach(function (c) {
    var inked = 0, colored = 0;
    if (c.width > 0 && c.height > 0) {
      var px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      for (var i = 0; i < px.length; i += 4) {
        if (px[i + 3] === 0) continue;
        inked++;
        // Axes, grid and text are grey; only data series are coloured.
        if (Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 40) colored++;
      }
    }
    canvases.push({id: c.id, width: c.width, height: c.height, inked: inked, colored: colored});
    if (inked < 500 || colored < 50) blank.push(c.id);
  });
  var charts = typeof Chart === "undefined" ? 0 : Object.keys(Chart.instances).length;
  var errors = window.__speechleakSelfCheckErrors || ["self-check head script did not run"];
  var verdict = {ok: errors.length === 0 && blank.length === 0 && charts === expected && canvases.length === expected,
                 expected: expected, charts: charts, canvases: canvases, blank: blank, errors: errors};
  document.getElementById("selfcheck").textContent = JSON.stringify(verdict);
  document.documentElement.setAttribute("data-selfcheck", verdict.ok ? "ok" : "failed");
});
)JS";
}

}  // namespace speechleak::report
