#include "speechleak/demo/experiments.h"

#include <algorithm>

#include "speechleak/demo/demo_record.h"
#include "speechleak/train/presets.h"
#include "speechleak/util/number_format.h"
#include "speechleak/report/html_report.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"

namespace speechleak::demo {
namespace fs = std::filesystem;

namespace {

std::string auc_cell(const audit::AttackResult& r) { return audit::format_auc(r.metrics, 3, 3); }

nlohmann::json study_json(const StudyResult& s) {
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& c : s.cells) {
    cells.push_back({{"label", c.label}, {"variant", c.result.variant.tag()},
                     {"model", c.result.model_dir.string()}, {"run", c.result.run_dir.string()},
                     {"results", results_json(c.result.audit)}});
  }
  return {{"study", s.name}, {"cells", cells}};
}

// OUT/<name>.md (the table), OUT/<name>.json and OUT/<name>.html (the cells' runs side by side).
void write_study(StudyResult& study) {
  const fs::path dir = study.cells.front().result.out;
  write_text_file_atomically(dir / (study.name + ".md"), format_study_table(study));
  write_text_file_atomically(dir / (study.name + ".json"), study_json(study).dump(2) + "\n");
  std::vector<fs::path> runs;
  for (const auto& c : study.cells) runs.push_back(c.result.run_dir);
  if (auto report = report::write_report_or_warn(runs, dir / (study.name + ".html"))) study.report = *report;
}

}  // namespace

StudyResult run_reversal_study(const DemoPreset& preset, const fs::path& out, const DemoOptions& options) {
  StudyResult study{"reversal", {}, {}};
  for (const bool model_reversed : {false, true})
    for (const bool attack_reversed : {false, true}) {
      DemoVariant v;
      if (model_reversed) v.defenses = {"reverse-audio"};
      v.attack_reverse_audio = attack_reversed;
      std::string label = std::string("model: ") + (model_reversed ? "reversed" : "plain") +
                          " / attack: " + (attack_reversed ? "reversed" : "plain");
      log_info("reversal study, " + label);
      study.cells.push_back({label, run_demo(preset, out, options, v)});
    }
  write_study(study);
  return study;
}

StudyResult run_families_study(const DemoPreset& preset, const fs::path& out, const DemoOptions& options) {
  StudyResult study{"families", {}, {}};
  for (const char* objective : {"hubert", "wav2vec2", "tera"}) {
    DemoVariant v;
    if (std::string(objective) != "hubert") v.objective = objective;
    log_info(std::string("families study, objective ") + objective);
    study.cells.push_back({objective, run_demo(preset, out, options, v)});
  }
  write_study(study);
  return study;
}

StudyResult run_ablations_study(const DemoPreset& preset, const fs::path& out, const DemoOptions& options) {
  StudyResult study{"ablations", {}, {}};
  auto p = preset;
  const int members = p.synth.pretrain_speakers;
  p.synth.extra_speakers = 2 * members;  // data x1, x2 and x3 the members' speakers
  const auto size_label = [&](const std::string& arch) {
    const auto params = train::resolve_arch(arch, p.pretrain.objective).parameter_count();
    return arch + " (" + text::fixed(static_cast<double>(params) / 1e6, 2) + "M)";
  };
  std::vector<std::string> archs = {"tiny", "mini", "small"};
  if (std::find(archs.begin(), archs.end(), p.pretrain.arch) == archs.end()) archs.push_back(p.pretrain.arch);
  for (const auto& arch : archs) {
    DemoVariant v;
    if (arch != p.pretrain.arch) v.arch = arch;
    std::string label = "size " + size_label(arch);
    if (v.arch.empty()) label += ", data x1";
    log_info("ablations study, " + label);
    study.cells.push_back({label, run_demo(p, out, options, v)});
  }
  for (const int times : {2, 3}) {
    DemoVariant v;
    v.extra_speakers = (times - 1) * members;
    const std::string label = "data x" + std::to_string(times) + " (" + std::to_string(times * members) + " speakers)";
    log_info("ablations study, " + label);
    study.cells.push_back({label, run_demo(p, out, options, v)});
  }
  write_study(study);
  return study;
}

std::string format_study_table(const StudyResult& s) {
  std::string table = "| level | attack |";
  std::string rule = "|---|---|";
  for (const auto& c : s.cells) table.append(" ").append(c.label).append(" |"), rule.append("---|");
  table.append("\n").append(rule).append("\n");
  if (s.cells.empty()) return table;
  const auto& first = s.cells.front().result.audit.results;
  for (size_t i = 0; i < first.size(); ++i) {
    // Appended piecewise: GCC 12 warns (falsely, -Wstringop-overflow) on `"| " + std::string + ...` here.
    table.append("| ").append(first[i].level).append(" | ").append(first[i].attack).append(" |");
    for (const auto& c : s.cells) {
      const auto& results = c.result.audit.results;
      table.append(" ").append(i < results.size() ? auc_cell(results[i]) : std::string("-")).append(" |");
    }
    table.append("\n");
  }
  return table;
}

}  // namespace speechleak::demo
