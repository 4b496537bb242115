#include "speechleak/report/chart_specs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "speechleak/util/number_format.h"

namespace speechleak::report {

namespace {

using nlohmann::json;

// Tableau 10: distinguishable, colour-blind aware, and dark enough for thin lines on white.
const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1",
                                "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"};
constexpr size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

std::string color(size_t i) { return kPalette[i % kPaletteSize]; }

// Solid for the first attack (basic), dashed for the second (improved), then dotted, dash-dot...
json dash(size_t attack_index) {
  static const std::vector<std::vector<int>> kDashes = {{}, {8, 4}, {2, 3}, {10, 3, 2, 3}};
  return kDashes[attack_index % kDashes.size()];
}

std::vector<std::string> attacks_of(const std::vector<RunData>& runs) {
  std::vector<std::string> out;
  for (const RunData& run : runs)
    for (const Result& r : run.results)
      if (std::find(out.begin(), out.end(), r.attack) == out.end()) out.push_back(r.attack);
  return out;
}

json axis(const std::string& type, double min, const std::string& title) {
  json a = {{"type", type}, {"min", min}, {"max", 1}, {"title", {{"display", true}, {"text", title}}},
            {"ticks", {{"maxRotation", 0}}}};
  // Chart.js labels log ticks in fixed notation ("0.00001"); Intl's scientific notation reads "1E-5".
  if (type == "logarithmic")
    a["ticks"]["format"] = {{"notation", "scientific"}, {"minimumFractionDigits", 0}, {"maximumFractionDigits", 0}};
  return a;
}

json base_options(const std::string& title) {
  return {{"animation", false},
          {"responsive", true},
          {"maintainAspectRatio", false},
          {"parsing", false},
          {"plugins",
           {{"title", {{"display", true}, {"text", title}, {"font", {{"size", 14}}}}},
            {"legend", {{"position", "bottom"}, {"labels", {{"boxWidth", 28}}}}}}}};
}

// Legend entries as line samples with the dataset's dash: a box of height 0 strokes as a line (the point-style
// legend would lose the dash, which it takes from the invisible points).
json line_legend() {
  return {{"position", "bottom"}, {"labels", {{"boxWidth", 40}, {"boxHeight", 0}}}};
}

json roc_dataset(const Result& r, const std::string& label, const std::string& colour, size_t attack_index,
                 bool log_axes, double floor, size_t max_points) {
  json points = json::array();
  for (const RocPoint& p : thin_roc(r.roc, max_points, floor)) {
    // A log axis cannot show 0: FPR 0 (members above every non-member) sits on the axis' lower edge.
    const double x = log_axes ? std::max(p.fpr, floor) : p.fpr;
    const double y = log_axes ? std::max(p.tpr, floor) : p.tpr;
    points.push_back({{"x", x}, {"y", y}});
  }
  return {{"label", label}, {"data", points}, {"showLine", true}, {"borderColor", colour},
          {"backgroundColor", colour}, {"borderWidth", 2}, {"borderDash", dash(attack_index)},
          {"pointRadius", 0}, {"pointHoverRadius", 0}, {"pointHitRadius", 4}, {"fill", false}};
}

json chance_dataset(double floor) {
  return {{"label", "chance (TPR = FPR)"},
          {"data", json::array({{{"x", floor}, {"y", floor}}, {{"x", 1}, {"y", 1}}})},
          {"showLine", true}, {"borderColor", "#888888"}, {"backgroundColor", "#888888"}, {"borderWidth", 1},
          {"borderDash", {4, 4}}, {"pointRadius", 0}, {"pointHoverRadius", 0}, {"fill", false}};
}

ChartSpec roc_chart(const std::vector<RunData>& runs, const std::string& level, bool log_axes, double floor,
                    const ReportOptions& o) {
  const std::vector<std::string> attacks = attacks_of(runs);
  json datasets = json::array();
  for (size_t ri = 0; ri < runs.size(); ++ri) {
    for (const Result& r : runs[ri].results) {
      if (r.level != level) continue;
      const size_t ai = std::find(attacks.begin(), attacks.end(), r.attack) - attacks.begin();
      // One run: colour tells attacks apart; several: colour is the run, dash the attack.
      const std::string colour = runs.size() == 1 ? color(ai) : color(ri);
      const std::string label = (runs.size() == 1 ? "" : runs[ri].run_name + " · ") + r.attack + " (AUC " +
                                text::fixed(r.metrics.auc, 3) + ")";
      datasets.push_back(roc_dataset(r, label, colour, ai, log_axes, floor, o.max_roc_points));
    }
  }
  datasets.push_back(chance_dataset(log_axes ? floor : 0.0));
  const std::string scale = log_axes ? "log-log axes" : "linear axes";
  ChartSpec spec{"roc-" + level + (log_axes ? "-log" : "-linear"), "ROC, " + level + " level, " + scale, {}, level};
  json options = base_options(spec.title);
  options["plugins"]["legend"] = line_legend();
  const std::string type = log_axes ? "logarithmic" : "linear";
  const double min = log_axes ? floor : 0.0;
  options["scales"] = {{"x", axis(type, min, "False positive rate")}, {"y", axis(type, min, "True positive rate")}};
  spec.config = {{"type", "scatter"}, {"data", {{"datasets", datasets}}}, {"options", options}};
  return spec;
}

// Bin centres as category labels: three significant digits are enough to read a histogram's x axis.
json bin_labels(const std::vector<double>& edges) {
  json labels = json::array();
  for (size_t b = 0; b + 1 < edges.size(); ++b) {
    labels.push_back(text::general((edges[b] + edges[b + 1]) / 2, 3));
  }
  return labels;
}

ChartSpec histogram_chart(const RunData& run, size_t run_index, const Result& r, bool show_run,
                          const ReportOptions& o) {
  const Histogram h = histogram(r.member_scores, r.nonmember_scores, o.histogram_bins);
  ChartSpec spec{"hist-" + std::to_string(run_index) + "-" + r.level + "-" + r.attack,
                 (show_run ? run.run_name + " · " : "") + r.level + " level, " + r.attack + " attack", {}, r.level,
                 run_index};
  auto bars = [](const std::string& label, const std::vector<double>& v, const std::string& fill,
                 const std::string& edge) {
    return json{{"label", label}, {"data", v}, {"backgroundColor", fill}, {"borderColor", edge},
                {"borderWidth", 1}, {"barPercentage", 1.0}, {"categoryPercentage", 1.0}};
  };
  json datasets = json::array(
      {bars("non-members (n=" + std::to_string(r.nonmember_scores.size()) + ")", h.nonmembers,
            "rgba(78,121,167,0.45)", "#4e79a7"),
       bars("members (n=" + std::to_string(r.member_scores.size()) + ")", h.members, "rgba(225,87,89,0.45)",
            "#e15759")});
  json options = base_options(spec.title);
  options["parsing"] = true;
  options["scales"] = {
      {"x", {{"ticks", {{"maxRotation", 0}, {"autoSkipPadding", 10}}}, {"title", {{"display", true}, {"text", "score (higher = more likely member)"}}}}},
      {"y", {{"beginAtZero", true}, {"title", {{"display", true}, {"text", "share of group"}}}}}};
  options["datasets"] = {{"bar", {{"grouped", false}}}};  // overlaid, not side by side
  spec.config = {{"type", "bar"}, {"data", {{"labels", bin_labels(h.edges)}, {"datasets", datasets}}},
                 {"options", options}};
  return spec;
}

}  // namespace

std::vector<std::string> levels_of(const std::vector<RunData>& runs) {
  std::vector<std::string> out;
  for (const RunData& run : runs)
    for (const Result& r : run.results)
      if (std::find(out.begin(), out.end(), r.level) == out.end()) out.push_back(r.level);
  return out;
}

double log_axis_floor(const std::vector<RunData>& runs, const ReportOptions& options) {
  double floor = options.log_axis_min;
  for (const RunData& run : runs)
    for (const Result& r : run.results)
      if (r.metrics.n_nonmembers > 0) floor = std::min(floor, 1.0 / static_cast<double>(r.metrics.n_nonmembers));
  // Round down to a power of ten so the axis starts on a labelled decade.
  return std::pow(10.0, std::floor(std::log10(floor) + 1e-9));
}

std::vector<ChartSpec> roc_charts(const std::vector<RunData>& runs, const ReportOptions& options) {
  const double floor = log_axis_floor(runs, options);
  std::vector<ChartSpec> out;
  for (const std::string& level : levels_of(runs)) {
    out.push_back(roc_chart(runs, level, false, floor, options));
    out.push_back(roc_chart(runs, level, true, floor, options));
  }
  return out;
}

std::vector<ChartSpec> histogram_charts(const std::vector<RunData>& runs, const ReportOptions& options) {
  std::vector<ChartSpec> out;
  for (const std::string& level : levels_of(runs))
    for (size_t ri = 0; ri < runs.size(); ++ri)
      for (const Result& r : runs[ri].results)
        if (r.level == level) out.push_back(histogram_chart(runs[ri], ri, r, runs.size() > 1, options));
  return out;
}

std::vector<RocPoint> thin_roc(const std::vector<RocPoint>& roc, size_t max_points, double log_floor) {
  if (max_points == 0 || roc.size() <= max_points) return roc;
  // A monotone curve crosses at most 2G cells of a G x G grid; two grids of G = max/4 keep <= max points.
  const double cells = static_cast<double>(max_points) / 4;
  const double decades = -std::log10(log_floor);
  auto lin = [&](double v) { return static_cast<long>(std::floor(v * cells)); };
  auto lg = [&](double v) {
    return static_cast<long>(std::floor((std::log10(std::max(v, log_floor)) + decades) / decades * cells));
  };
  std::vector<RocPoint> out = {roc.front()};
  for (size_t i = 1; i + 1 < roc.size(); ++i) {
    const RocPoint& p = roc[i];
    const RocPoint& q = out.back();
    if (lin(p.fpr) != lin(q.fpr) || lin(p.tpr) != lin(q.tpr) || lg(p.fpr) != lg(q.fpr) || lg(p.tpr) != lg(q.tpr))
      out.push_back(p);
  }
  out.push_back(roc.back());
  return out;
}

Histogram histogram(const std::vector<double>& members, const std::vector<double>& nonmembers, size_t bins) {
  Histogram h;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto* v : {&members, &nonmembers})
    for (double x : *v) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!(lo < hi)) {  // no scores, or all equal: one unit-wide range around them
    lo = std::isfinite(lo) ? lo - 0.5 : 0.0;
    hi = lo + 1.0;
  }
  for (size_t b = 0; b <= bins; ++b) h.edges.push_back(lo + (hi - lo) * static_cast<double>(b) / bins);
  auto shares = [&](const std::vector<double>& v) {
    std::vector<double> s(bins, 0.0);
    for (double x : v) {
      const auto b = static_cast<size_t>(std::clamp((x - lo) / (hi - lo) * bins, 0.0, bins - 1.0));
      s[b] += 1.0 / v.size();
    }
    return s;
  };
  h.members = shares(members);
  h.nonmembers = shares(nonmembers);
  return h;
}

}  // namespace speechleak::report
