#include "speechleak/report/html_sections.h"

#include <algorithm>
#include <utility>

#include "speechleak/report/html_escape.h"
#include "speechleak/util/number_format.h"

namespace speechleak::report {

namespace {

using LevelAttack = std::pair<std::string, std::string>;

// (level, attack) pairs grouped by level, each group in order of first appearance.
std::vector<LevelAttack> rows_of(const std::vector<RunData>& runs) {
  std::vector<LevelAttack> out;
  for (const std::string& level : levels_of(runs))
    for (const RunData& run : runs)
      for (const Result& r : run.results)
        if (r.level == level && std::find(out.begin(), out.end(), LevelAttack{level, r.attack}) == out.end())
          out.emplace_back(level, r.attack);
  return out;
}

const Result* find_result(const RunData& run, const LevelAttack& row) {
  for (const Result& r : run.results)
    if (r.level == row.first && r.attack == row.second) return &r;
  return nullptr;
}

std::string interval(const std::optional<Bounds>& b, bool as_percent) {
  if (!b) return "";
  const std::string lo = as_percent ? text::fixed(100 * b->lower, 1) : text::fixed(b->lower, 3);
  const std::string hi = as_percent ? text::fixed(100 * b->upper, 1) : text::fixed(b->upper, 3);
  return " <span class=\"ci\">[" + lo + ", " + hi + "]</span>";
}

std::string tpr_cell(const std::optional<TprCell>& t) {
  if (!t) return "<td class=\"num missing\">—</td>";
  const std::string mark = t->below_resolution ? "<sup title=\"below the data's FPR resolution\">†</sup>" : "";
  return "<td class=\"num\">" + text::percent(t->tpr, 2) + mark + interval(t->interval, true) + "</td>";
}

std::string summary_cells(const Result* r) {
  if (!r) return "<td class=\"num missing\" colspan=\"3\">not in this run</td>";
  return "<td class=\"num\"><b>" + text::fixed(r->metrics.auc, 3) + "</b>" + interval(r->metrics.auc_interval, false) +
         "</td>" + tpr_cell(r->metrics.tpr_at_0_1) + tpr_cell(r->metrics.tpr_at_1);
}

std::string optional_number(const std::optional<double>& x) { return x ? text::fixed(*x, 3) : "—"; }

std::string li(const std::string& run, const std::string& text, const std::string& css) {
  return "<li class=\"" + css + "\"><b>" + html_escape(run) + "</b>: " + html_escape(text) + "</li>\n";
}

std::string compact_json(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A config value for a person: strings bare, a flat object as "key value · key value", else one-line JSON.
std::string config_value(const nlohmann::json& v) {
  if (v.is_string()) return html_escape(v.get<std::string>());
  const bool flat = v.is_object() && std::none_of(v.begin(), v.end(), [](const auto& x) { return x.is_structured(); });
  if (!flat || v.empty()) return "<code>" + html_escape(compact_json(v)) + "</code>";
  std::string out;
  for (const auto& [key, x] : v.items())
    out += std::string(out.empty() ? "" : " <span class=\"sep\">·</span> ") + "<span class=\"key\">" +
           html_escape(key) + "</span> " + html_escape(x.is_string() ? x.get<std::string>() : compact_json(x));
  return out;
}

std::string fact(const std::string& key, const std::string& value_html) {
  return "<tr><th>" + html_escape(key) + "</th><td>" + value_html + "</td></tr>\n";
}

std::string speaker_table(const std::string& heading, const std::vector<SpeakerScore>& speakers, size_t top) {
  const size_t shown = std::min(top, speakers.size());
  size_t members_top = 0, members_all = 0;
  for (size_t i = 0; i < speakers.size(); ++i) (i < shown ? members_top : members_all) += speakers[i].member;
  members_all += members_top;
  std::string h = "<div class=\"speakers\"><h4>" + html_escape(heading) + "</h4>\n<p class=\"note\">Members among "
                  "the top " + std::to_string(shown) + ": " + std::to_string(members_top) + "; among all " +
                  std::to_string(speakers.size()) + " speakers: " + std::to_string(members_all) + ".</p>\n";
  h += "<table class=\"data\"><thead><tr><th>Rank</th><th>Speaker</th><th>Score</th><th>Member</th>"
       "<th>Utterances</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < shown; ++i) {
    const SpeakerScore& s = speakers[i];
    h += std::string("<tr class=\"") + (s.member ? "member" : "nonmember") + "\"><td class=\"num\">" +
         std::to_string(i + 1) + "</td><td>" + html_escape(s.speaker_id) + "</td><td class=\"num\">" +
         text::fixed(s.score, 4) + "</td><td>" + (s.member ? "member" : "non-member") + "</td><td class=\"num\">" +
         std::to_string(s.n_utts) + "</td></tr>\n";
  }
  return h + "</tbody></table></div>\n";
}

}  // namespace

std::string summary_table(const std::vector<RunData>& runs) {
  std::string h = "<table class=\"summary\">\n<thead><tr><th rowspan=\"2\">Level</th><th rowspan=\"2\">Attack</th>";
  for (const RunData& run : runs) h += "<th colspan=\"3\" class=\"run\">" + html_escape(run.run_name) + "</th>";
  h += "</tr>\n<tr>";
  for (size_t i = 0; i < runs.size(); ++i) h += "<th>AUC [CI]</th><th>TPR@0.1% FPR</th><th>TPR@1% FPR</th>";
  h += "</tr></thead>\n<tbody>\n";
  const std::vector<LevelAttack> rows = rows_of(runs);
  for (size_t i = 0; i < rows.size(); ++i) {
    h += "<tr>";
    if (i == 0 || rows[i - 1].first != rows[i].first) {
      const auto span = std::count_if(rows.begin(), rows.end(), [&](const auto& r) { return r.first == rows[i].first; });
      h += "<th rowspan=\"" + std::to_string(span) + "\">" + html_escape(rows[i].first) + "</th>";
    }
    h += "<td>" + html_escape(rows[i].second) + "</td>";
    for (const RunData& run : runs) h += summary_cells(find_result(run, rows[i]));
    h += "</tr>\n";
  }
  return h + "</tbody></table>\n";
}

std::string details_table(const std::vector<RunData>& runs) {
  std::string h = "<table class=\"data details\"><thead><tr><th>Run</th><th>Level</th><th>Attack</th><th>Layer</th>"
                  "<th>Direction</th><th>Direction source</th><th>Members</th><th>Non-members</th>"
                  "<th title=\"threshold chosen on the evaluation labels: an upper bound, not an attack result\">Best balanced "
                  "accuracy (label-informed)</th><th title=\"threshold chosen on the evaluation labels: an upper "
                  "bound, not an attack result\">Best advantage (label-informed)</th></tr></thead><tbody>\n";
  for (const RunData& run : runs)
    for (const Result& r : run.results)
      h += "<tr><td>" + html_escape(run.run_name) + "</td><td>" + html_escape(r.level) + "</td><td>" +
           html_escape(r.attack) + "</td><td class=\"num\">" + (r.layer ? std::to_string(*r.layer) : "—") +
           "</td><td>" + html_escape(r.direction.empty() ? "—" : r.direction) + "</td><td>" +
           html_escape(r.direction_source.empty() ? "—" : r.direction_source) + "</td><td class=\"num\">" +
           std::to_string(r.metrics.n_members) + "</td><td class=\"num\">" + std::to_string(r.metrics.n_nonmembers) +
           "</td><td class=\"num\">" + optional_number(r.metrics.balanced_accuracy) + "</td><td class=\"num\">" +
           optional_number(r.metrics.advantage) + "</td></tr>\n";
  return h + "</tbody></table>\n";
}

std::string warnings_section(const std::vector<RunData>& runs) {
  std::string items;
  for (const RunData& run : runs) {
    for (const std::string& w : run.warnings) items += li(run.run_name, w, w.starts_with("report: ") ? "loader" : "");
    for (const Result& r : run.results) {
      // Only a deviation from the paper's rule is worth a warning: a calibration that chose "high" agrees with it.
      if (!r.paper_direction)
        items += li(run.run_name, r.level + "/" + r.attack + ": score direction '" + r.direction + "' (" +
                                      r.direction_source + "), not the paper's default",
                    "direction");
    }
  }
  if (items.empty())
    return "<section id=\"warnings\" class=\"warnings none\"><h2>Warnings</h2><p>None: summary.json records no "
           "warnings and every attack used the paper's score direction.</p></section>\n";
  return "<section id=\"warnings\" class=\"warnings\"><h2>&#9888; Warnings</h2>\n<ul>\n" + items + "</ul></section>\n";
}

// All tables in one wrapping row: with several runs, the same attack's tables end up side by side.
std::string speakers_section(const std::vector<RunData>& runs, size_t top) {
  std::string notes, tables;
  for (const RunData& run : runs) {
    if (run.speakers.empty())
      notes += "<p class=\"note\">" + html_escape(run.run_name) + ": no scores/speaker-*.csv in this run.</p>\n";
    const std::string prefix = runs.size() > 1 ? run.run_name + " · " : "";
    for (const auto& [attack, speakers] : run.speakers)
      tables += speaker_table(prefix + attack + " attack", speakers, top);
  }
  return notes + "<div class=\"speaker-tables\">\n" + tables + "</div>\n";
}

std::string config_section(const std::vector<RunData>& runs) {
  std::string h;
  for (const RunData& run : runs) {
    h += "<div class=\"run-config\"><h3>" + html_escape(run.run_name) + "</h3>\n<table class=\"facts\">\n";
    h += fact("directory", "<code>" + html_escape(run.dir.string()) + "</code>");
    h += fact("model path", "<code>" + html_escape(run.model_path) + "</code>");
    h += fact("model fingerprint", "<code>" + html_escape(run.model_fingerprint) + "</code>");
    if (!run.model_description.empty()) h += fact("model", html_escape(run.model_description));
    h += fact("speechleak version", html_escape(run.speechleak_version));
    for (const char* key : {"command", "seeds", "versions"})
      if (run.config.contains(key)) h += fact(key, config_value(run.config.at(key)));
    if (run.config.contains("corpora") && run.config.at("corpora").is_object())
      for (const auto& [role, spec] : run.config.at("corpora").items()) h += fact("corpus: " + role, config_value(spec));
    h += "</table>\n<details><summary>config.json</summary><pre>" +
         html_escape(run.config.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) +
         "</pre></details></div>\n";
  }
  return h;
}

std::string chart_figure(const ChartSpec& chart, const std::string& css_class) {
  return "<figure class=\"" + css_class + "\"><div class=\"chart-box\"><canvas id=\"" + html_escape(chart.id) +
         "\" role=\"img\" aria-label=\"" + html_escape(chart.title) + "\"></canvas></div></figure>\n";
}

}  // namespace speechleak::report
