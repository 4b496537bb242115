#include "speechleak/audit/run_directory.h"

#include <algorithm>


#include "speechleak/metrics/roc.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/npy.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/text.h"

namespace speechleak::audit {
namespace fs = std::filesystem;

namespace {

// Full precision for scores: CSVs are data, not display (locale-free, reads back to the same double).
std::string num(double v) { return text::general(v, 17); }

void write_scores(const fs::path& path, const AttackResult& r) {
  write_file_atomically(path, [&](std::ostream& out) {
    out << rundir::csv_header(rundir::score_columns(r.level));  // the rows below follow these columns
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

// The numpy side of a result (rundir/schema.h): what ML Privacy Meter's and LiRA's plotting code read.
void write_arrays(const fs::path& dir, const AttackResult& r, const std::vector<int>& labels) {
  const auto n = static_cast<int64_t>(r.items.size());
  write_npy(rundir::npy_file(dir, r.level, r.attack, "scores"), {n}, r.scores);
  write_npy(rundir::npy_file(dir, r.level, r.attack, "membership"), {n}, std::vector<bool>(labels.begin(), labels.end()));
  if (!r.keep.empty()) write_npy(rundir::npy_file(dir, r.level, r.attack, "keep"), r.keep);
  if (!r.model_signals.empty()) write_npy(rundir::npy_file(dir, r.level, r.attack, "signals"), r.model_signals);
}

}  // namespace

void write_run_directory(const fs::path& dir, const AuditResult& result, const RunInfo& info) {
  fs::create_directories(rundir::scores_dir(dir));
  fs::create_directories(rundir::roc_dir(dir));
  fs::remove(rundir::summary_file(dir));  // a rerun into the same directory is incomplete until the end
  write_text_file_atomically(rundir::config_file(dir), info.config.dump(2) + "\n");
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : result.results) {
    write_scores(rundir::scores_file(dir, r.level, r.attack), r);
    std::vector<int> labels;
    for (const auto& it : r.items) labels.push_back(it.member);
    write_arrays(dir, r, labels);
    auto roc = metrics::roc_curve(r.scores, labels);
    write_file_atomically(rundir::roc_file(dir, r.level, r.attack),
                          [&](std::ostream& out) { metrics::write_roc_csv(out, roc); });
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
  summary["blind_baseline"] = result.blind_baseline ? result.blind_baseline->to_json() : nlohmann::json(nullptr);
  write_text_file_atomically(rundir::summary_file(dir), summary.dump(2) + "\n");
}

std::string format_auc(const metrics::MetricsSummary& m, int digits, int interval_digits) {
  std::string s = text::fixed(m.auc, digits);
  if (m.auc_interval)
    s += " [" + text::fixed(m.auc_interval->lower, interval_digits) + ", " +
         text::fixed(m.auc_interval->upper, interval_digits) + "]";
  return s;
}

std::string format_table(const AuditResult& result) {
  using text::pad_right;
  std::string out = result.blind_baseline ? format_blind_baseline(*result.blind_baseline) + "\n" : "";
  size_t attack_width = 10;  // wider only when a calibrated attack's name needs it
  for (const auto& r : result.results) attack_width = std::max(attack_width, r.attack.size() + 2);
  out += pad_right("level", 11) + pad_right("attack", attack_width) + pad_right("AUC [95% CI]", 24) +
                    pad_right("TPR@1%", 11) + pad_right("TPR@0.1%", 11) + pad_right("n+/n-", 8) + "direction\n";
  for (const auto& r : result.results) {
    const std::string counts = std::to_string(r.metrics.n_members) + "/" + std::to_string(r.metrics.n_nonmembers);
    out += pad_right(r.level, 11) + pad_right(r.attack, attack_width) + pad_right(format_auc(r.metrics), 24) +
           pad_right(text::fixed(r.metrics.one_fpr, 4), 11) + pad_right(text::fixed(r.metrics.one_tenth_fpr, 4), 11) +
           pad_right(counts, 8) + to_string(r.direction) + "\n";
  }
  return out;
}

}  // namespace speechleak::audit
