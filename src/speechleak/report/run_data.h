#pragma once
// One run directory (docs/run-directory.md) as the report needs it: the summary's headline numbers, the ROC
// points, the scores split by membership, and the speakers' scores. Filled by load_run() (run_loader.h).
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace speechleak::report {

struct Bounds {
  double lower = 0;
  double upper = 0;
};

// TPR at one target FPR, as summary.json states it.
struct TprCell {
  double tpr = 0;
  double fpr = 0;                 // the FPR actually reached (<= target)
  bool below_resolution = false;  // target below 1/n_nonmembers: the data cannot resolve it
  std::optional<Bounds> interval;
};

// The headline numbers of one (level, attack) entry of summary.json.
struct Metrics {
  size_t n_members = 0;
  size_t n_nonmembers = 0;
  double auc = 0;
  std::optional<Bounds> auc_interval;
  std::optional<TprCell> tpr_at_0_1;  // TPR at FPR 0.1%
  std::optional<TprCell> tpr_at_1;    // TPR at FPR 1%
  std::optional<double> balanced_accuracy;
  std::optional<double> advantage;
};

struct RocPoint {
  double fpr = 0;
  double tpr = 0;
};

struct Result {
  std::string level;   // "utterance" | "speaker"
  std::string attack;  // "basic" | "improved" | later names
  std::optional<long long> layer;
  std::string direction;         // "high" | "low"
  std::string direction_source;  // "default (paper)", "--direction", "calibrated on N labelled items"
  bool paper_direction = true;   // the paper's rule applied (older runs: direction is not "low")
  Metrics metrics;
  std::vector<RocPoint> roc;            // roc/<level>-<attack>.csv, in file order
  std::vector<double> member_scores;    // scores/<level>-<attack>.csv, member == 1
  std::vector<double> nonmember_scores; // member == 0
};

struct SpeakerScore {
  std::string speaker_id;
  size_t n_utts = 0;
  bool member = false;
  double score = 0;
};

// A recovered name, for the report's examples (noise-masking/outcomes.tsv rows of the target set, exact).
struct RecoveredName {
  std::string utt_id, name, blanked, hypothesis, unmasked_hypothesis;
};

struct RunData {
  std::filesystem::path dir;
  std::string run_name;  // summary.json run_name; the directory name when absent
  std::string speechleak_version;
  std::string model_path;
  std::string model_fingerprint;
  std::string model_description;
  std::vector<std::string> warnings;
  std::vector<Result> results;  // summary.json order
  // scores/speaker-<attack>.csv by attack, sorted most exposed (highest score) first.
  std::map<std::string, std::vector<SpeakerScore>> speakers;
  nlohmann::json config;  // config.json as written
  // A noise-masking run: summary.json's "noise_masking" object (docs/noise-masking.md), and exact recoveries on the
  // target set (at most kMaxExamples, in file order).
  std::optional<nlohmann::json> noise_masking;
  std::vector<RecoveredName> recovered;
  // summary.json's "blind_baseline" (audit/blind_baseline.h), when the audit computed one.
  std::optional<nlohmann::json> blind_baseline;
  static constexpr size_t kMaxExamples = 8;
};

}  // namespace speechleak::report
