#include "speechleak/rundir/schema.h"

#include "speechleak/util/error.h"

namespace speechleak::rundir {

namespace fs = std::filesystem;

fs::path summary_file(const fs::path& run) { return run / "summary.json"; }
fs::path config_file(const fs::path& run) { return run / "config.json"; }
fs::path report_file(const fs::path& run) { return run / "report.html"; }
fs::path scores_dir(const fs::path& run) { return run / "scores"; }
fs::path roc_dir(const fs::path& run) { return run / "roc"; }

fs::path noise_masking_outcomes_file(const fs::path& run) { return run / "noise-masking" / "outcomes.tsv"; }

const std::vector<std::string>& noise_masking_columns() {
  static const std::vector<std::string> c = {"set",         "utt_id",      "speaker_id",    "name",
                                             "guess",       "outcome",     "any_name",      "spellable",
                                             "context_wer", "context_cer", "context_words", "confidence",
                                             "draws_agreeing", "masked_s"};
  return c;
}

std::string result_stem(const std::string& level, const std::string& attack) { return level + "-" + attack; }

fs::path scores_file(const fs::path& run, const std::string& level, const std::string& attack) {
  return scores_dir(run) / (result_stem(level, attack) + ".csv");
}

fs::path roc_file(const fs::path& run, const std::string& level, const std::string& attack) {
  return roc_dir(run) / (result_stem(level, attack) + ".csv");
}

fs::path npy_file(const fs::path& run, const std::string& level, const std::string& attack, const std::string& what) {
  return run / "npy" / (result_stem(level, attack) + "." + what + ".npy");
}

std::optional<std::string> attack_of_file(const std::string& name, const std::string& level) {
  const std::string prefix = level + "-", suffix = ".csv";
  if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
    return std::nullopt;
  return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
}

const std::vector<std::string>& utterance_score_columns() {
  using namespace column;
  static const std::vector<std::string> c{kUttId, kSpeakerId, kSubset, kMember, kScore, kRawScore};
  return c;
}

const std::vector<std::string>& speaker_score_columns() {
  using namespace column;
  static const std::vector<std::string> c{kSpeakerId, kNUtts, kMember, kScore, kRawScore};
  return c;
}

const std::vector<std::string>& score_columns(const std::string& level) {
  if (level == "utterance") return utterance_score_columns();
  if (level == "speaker") return speaker_score_columns();
  throw invalid_argument("level", "utterance or speaker", "'" + level + "'");
}

std::string csv_header(const std::vector<std::string>& columns) {
  std::string h;
  for (const auto& c : columns) h += (h.empty() ? "" : ",") + c;
  return h + "\n";
}

}  // namespace speechleak::rundir
