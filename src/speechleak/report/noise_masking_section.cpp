#include "speechleak/report/noise_masking_section.h"

#include "speechleak/report/html_escape.h"
#include "speechleak/util/number_format.h"

namespace speechleak::report {
namespace {

using nlohmann::json;

double num(const json& j, const char* key) { return j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : 0.0; }

std::string rate_cell(const json& rate) {
  if (!rate.is_object()) return "<td class=\"num missing\">—</td>";
  std::string ci;
  const auto numbers = [](const json& pair) { return pair.size() == 2 && pair[0].is_number() && pair[1].is_number(); };
  if (rate.contains("wilson95") && rate.at("wilson95").is_array() && numbers(rate.at("wilson95")))
    ci = " <span class=\"ci\">[" + text::fixed(100 * rate["wilson95"][0].get<double>(), 1) + ", " +
         text::fixed(100 * rate["wilson95"][1].get<double>(), 1) + "]</span>";
  return "<td class=\"num\">" + text::percent(num(rate, "rate"), 1) + ci + "</td>";
}

std::string rates_table(const std::vector<RunData>& runs) {
  std::string h = "<table class=\"results\">\n<thead><tr><th>run</th><th>set</th><th>trials</th><th>exact [95% CI]</th>"
                  "<th>any-name [95% CI]</th><th>precision</th><th>unmasked exact</th><th>WER / CER unmasked</th>"
                  "</tr></thead>\n<tbody>\n";
  for (const RunData& run : runs) {
    if (!run.noise_masking) continue;
    for (const json& set : run.noise_masking->at("sets")) {
      const json counts = set.value("counts", json::object());
      const json unmasked = set.value("unmasked", json());
      h += "<tr><td>" + html_escape(run.run_name) + "</td><td>" + html_escape(set.value("set", "?")) +
           "</td><td class=\"num\">" + std::to_string(counts.value("trials", size_t{0})) + "</td>" +
           rate_cell(counts.value("exact", json())) + rate_cell(counts.value("any_name", json())) +
           "<td class=\"num\">" + text::percent(num(counts, "precision"), 1) + "</td>" +
           rate_cell(counts.value("unmasked_exact", json())) + "<td class=\"num\">" +
           (unmasked.is_object() ? text::percent(num(unmasked, "wer"), 1) + " / " + text::percent(num(unmasked, "cer"), 1)
                                 : "—") +
           "</td></tr>\n";
    }
  }
  return h + "</tbody></table>\n";
}

std::string comparisons_list(const std::vector<RunData>& runs) {
  std::string h = "<ul>\n";
  for (const RunData& run : runs) {
    if (!run.noise_masking || !run.noise_masking->contains("comparisons")) continue;
    for (const json& c : run.noise_masking->at("comparisons"))
      h += "<li><b>" + html_escape(run.run_name) + "</b>: Exact(" + html_escape(c.value("first", "?")) + ") − Exact(" +
           html_escape(c.value("second", "?")) + ") = " + text::fixed(100 * num(c, "gap"), 1) +
           " points, one-sided " + html_escape(c.value("test", "?")) + " p = " + text::general(num(c, "p_value"), 3) +
           "</li>\n";
    const json& sets = run.noise_masking->at("sets");
    if (!sets.empty() && sets[0].contains("baselines")) {
      const json& b = sets[0]["baselines"];
      h += "<li><b>" + html_escape(run.run_name) + "</b>: baselines: chance " + text::percent(num(b, "chance"), 1) +
           ", always guessing " + html_escape(b.value("most_frequent_name", "?")) + " " +
           text::percent(num(b, "most_frequent_rate"), 1) + "</li>\n";
    }
  }
  return h + "</ul>\n";
}

std::string filter_table(const std::vector<RunData>& runs) {
  std::string h = "<table class=\"results\">\n<thead><tr><th>run</th><th>set</th><th>filter</th><th>threshold</th>"
                  "<th>kept</th><th>precision</th><th>recall</th></tr></thead>\n<tbody>\n";
  for (const RunData& run : runs) {
    if (!run.noise_masking) continue;
    for (const json& set : run.noise_masking->at("sets"))
      for (const auto& [key, label, threshold] : {std::tuple{"filter_context_wer", "context WER ≤ τ", "tau"},
                                                  std::tuple{"filter_confidence", "confidence ≥ θ", "theta"}})
        for (const json& p : set.value(key, json::array()))
          h += "<tr><td>" + html_escape(run.run_name) + "</td><td>" + html_escape(set.value("set", "?")) + "</td><td>" +
               label + "</td><td class=\"num\">" + text::general(num(p, threshold), 3) + "</td><td class=\"num\">" +
               std::to_string(p.value("kept", size_t{0})) + "</td><td class=\"num\">" + text::percent(num(p, "precision"), 1) +
               "</td><td class=\"num\">" + text::percent(num(p, "recall"), 1) + "</td></tr>\n";
  }
  return h + "</tbody></table>\n";
}

std::string examples_table(const std::vector<RunData>& runs) {
  std::string h;
  for (const RunData& run : runs) {
    if (!run.noise_masking) continue;
    h += "<h3>" + html_escape(run.run_name) + ": recovered names</h3>\n";
    if (run.recovered.empty()) {
      h += "<p class=\"note\">No target name was recovered exactly.</p>\n";
      continue;
    }
    h += "<table class=\"results\">\n<thead><tr><th>utterance</th><th>name</th><th>transcript, name blanked</th>"
         "<th>hypothesis, name masked</th><th>hypothesis, unmasked</th></tr></thead>\n<tbody>\n";
    for (const auto& r : run.recovered)
      h += "<tr><td>" + html_escape(r.utt_id) + "</td><td><b>" + html_escape(r.name) + "</b></td><td>" +
           html_escape(r.blanked) + "</td><td>" + html_escape(r.hypothesis) + "</td><td>" +
           html_escape(r.unmasked_hypothesis) + "</td></tr>\n";
    h += "</tbody></table>\n";
  }
  return h;
}

}  // namespace

std::string noise_masking_section(const std::vector<RunData>& runs) {
  bool any = false;
  for (const RunData& r : runs) any |= r.noise_masking.has_value();
  if (!any) return "<section id=\"noise-masking\" hidden></section>\n";
  // The loader checked the type of every field read here (run_loader.cpp, check_noise_masking).
  return "<section id=\"noise-masking\"><h2>Noise masking: recovered names</h2>\n<p class=\"note\">The name's audio "
         "replaced by noise, the fine-tuned recogniser asked what was said. Target: pretraining utterances; control: "
         "utterances of the same kind the encoder never saw. Only the gap between them is evidence of memorisation "
         "(docs/noise-masking.md).</p>\n" +
         rates_table(runs) + comparisons_list(runs) + "<h3>Abstention filters</h3>\n" + filter_table(runs) +
         examples_table(runs) + "</section>\n";
}

}  // namespace speechleak::report
