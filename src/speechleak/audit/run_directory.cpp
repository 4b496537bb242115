#include "speechleak/audit/run_directory.h"

#include <cstdio>
#include <iomanip>
#include <sstream>

#include "speechleak/metrics/roc.h"
#include "speechleak/util/file_io.h"

namespace speechleak::audit {
namespace fs = std::filesystem;

namespace {

// Full precision for scores: CSVs are data, not display.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void write_scores(const fs::path& path, const AttackResult& r) {
  write_file_atomically(path, [&](std::ostream& out) {
    if (r.level == "utterance") out << "utt_id,speaker_id,subset,member,score,raw_score\n";
    else out << "speaker_id,n_utts,member,score,raw_score\n";
    for (size_t i = 0; i < r.items.size(); ++i) {
      const auto& it = r.items[i];
      if (r.level == "utterance") out << it.id << "," << it.speaker_id << "," << it.subset << ",";
      else out << it.speaker_id << "," << it.n_utts << ",";
      out << it.member << "," << num(r.scores[i]) << "," << num(it.raw) << "\n";
    }
  });
}

nlohmann::json result_json(const AttackResult& r, int layer) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : r.skipped.items) skipped.push_back({{"id", s.id}, {"reason", s.reason}});
  return {{"level", r.level}, {"attack", r.attack}, {"layer", layer}, {"direction", to_string(r.direction)},
          {"direction_source", r.direction_source}, {"paper_direction", r.paper_direction}, {"metrics", metrics::to_json(r.metrics)},
          {"skipped", skipped}, {"details", r.details}};
}

}  // namespace

void write_run_directory(const fs::path& dir, const AuditResult& result, const RunInfo& info) {
  fs::create_directories(dir / "scores");
  fs::create_directories(dir / "roc");
  fs::remove(dir / "summary.json");  // a rerun into the same directory is incomplete until the end
  write_text_file_atomically(dir / "config.json", info.config.dump(2) + "\n");
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : result.results) {
    const std::string name = r.level + "-" + r.attack;
    write_scores(dir / "scores" / (name + ".csv"), r);
    std::vector<int> labels;
    for (const auto& it : r.items) labels.push_back(it.member);
    auto roc = metrics::roc_curve(r.scores, labels);
    write_file_atomically(dir / "roc" / (name + ".csv"), [&](std::ostream& out) { metrics::write_roc_csv(out, roc); });
    results.push_back(result_json(r, result.layer));
  }
  nlohmann::json summary{{"speechleak_version", SPEECHLEAK_VERSION},
                         {"run_name", info.run_name},
                         {"model", {{"path", info.model_path}, {"fingerprint", result.model_fingerprint},
                                    {"description", info.model_description}}},
                         {"layer", result.layer},
                         {"counts", result.counts},
                         {"results", results},
                         {"warnings", result.warnings}};
  write_text_file_atomically(dir / "summary.json", summary.dump(2) + "\n");
}

std::string format_auc(const metrics::MetricsSummary& m, int digits, int interval_digits) {
  char text[96];
  if (m.auc_interval)
    std::snprintf(text, sizeof text, "%.*f [%.*f, %.*f]", digits, m.auc, interval_digits, m.auc_interval->lower,
                  interval_digits, m.auc_interval->upper);
  else
    std::snprintf(text, sizeof text, "%.*f", digits, m.auc);
  return text;
}

std::string format_table(const AuditResult& result) {
  std::ostringstream out;
  out << std::left << std::setw(11) << "level" << std::setw(10) << "attack" << std::setw(24) << "AUC [95% CI]"
      << std::setw(11) << "TPR@1%" << std::setw(11) << "TPR@0.1%" << std::setw(8) << "n+/n-"
      << "direction\n";
  for (const auto& r : result.results) {
    const std::string auc = format_auc(r.metrics);
    char tpr1[16], tpr01[16], counts[32];
    std::snprintf(tpr1, sizeof tpr1, "%.4f", r.metrics.one_fpr);
    std::snprintf(tpr01, sizeof tpr01, "%.4f", r.metrics.one_tenth_fpr);
    std::snprintf(counts, sizeof counts, "%zu/%zu", r.metrics.n_members, r.metrics.n_nonmembers);
    out << std::setw(11) << r.level << std::setw(10) << r.attack << std::setw(24) << auc << std::setw(11) << tpr1
        << std::setw(11) << tpr01 << std::setw(8) << counts << to_string(r.direction) << "\n";
  }
  return out.str();
}

}  // namespace speechleak::audit
