#pragma once
// The run directory's schema (docs/run-directory.md), in one place for its writer (audit/run_directory.h) and its
// readers (report/run_loader.h, the demo): file names, the score CSVs' columns, and the per-result file stems.
// Torch-free.
//
//   RUN/summary.json               written last: a directory with one is complete
//   RUN/config.json                command, seeds, model, corpora, audit config, versions
//   RUN/scores/<level>-<attack>.csv  utterance_score_columns() or speaker_score_columns()
//   RUN/roc/<level>-<attack>.csv     metrics::write_roc_csv (metrics/roc.h: roc_csv_columns())
//   RUN/npy/<level>-<attack>.<what>.npy  numpy arrays in the scores CSV's row order: scores (float64, higher =
//                                  member), membership (bool); for calibrated attacks also keep (runs x items,
//                                  bool) and signals (1 + runs x items, float64: the target's row first)
//   RUN/report.html                the HTML report of this run
//   RUN/features/<role>            feature stores, when the audit extracted them
//   RUN/noise-masking/outcomes.tsv   a noise-masking run's trials (noise_masking_columns()); its summary.json
//                                  holds "noise_masking" instead of an audit's results
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace speechleak::rundir {

std::filesystem::path summary_file(const std::filesystem::path& run);
std::filesystem::path config_file(const std::filesystem::path& run);
std::filesystem::path report_file(const std::filesystem::path& run);
std::filesystem::path scores_dir(const std::filesystem::path& run);
std::filesystem::path roc_dir(const std::filesystem::path& run);

std::string result_stem(const std::string& level, const std::string& attack);  // "<level>-<attack>"
std::filesystem::path scores_file(const std::filesystem::path& run, const std::string& level, const std::string& attack);
std::filesystem::path roc_file(const std::filesystem::path& run, const std::string& level, const std::string& attack);
std::filesystem::path npy_file(const std::filesystem::path& run, const std::string& level, const std::string& attack,
                               const std::string& what);
// The attack of a scores/ or roc/ file name of `level` ("speaker-basic.csv" -> "basic"), or nullopt.
std::optional<std::string> attack_of_file(const std::string& file_name, const std::string& level);

// Score CSV columns. Utterance level: utt_id,speaker_id,subset,member,score,raw_score; speaker level:
// speaker_id,n_utts,member,score,raw_score. `score` is oriented (higher = more likely member), `raw_score` the
// attack's own number.
namespace column {
inline constexpr const char* kUttId = "utt_id";
inline constexpr const char* kSpeakerId = "speaker_id";
inline constexpr const char* kSubset = "subset";
inline constexpr const char* kNUtts = "n_utts";
inline constexpr const char* kMember = "member";
inline constexpr const char* kScore = "score";
inline constexpr const char* kRawScore = "raw_score";
}  // namespace column
const std::vector<std::string>& utterance_score_columns();
const std::vector<std::string>& speaker_score_columns();
const std::vector<std::string>& score_columns(const std::string& level);  // of "utterance" or "speaker"
// The noise-masking outcomes file and its leading columns (then one kept_tau=<tau> column per threshold, then
// the text columns hypothesis, blanked, unmasked_hypothesis, unmasked_guess; tab-separated).
std::filesystem::path noise_masking_outcomes_file(const std::filesystem::path& run);
const std::vector<std::string>& noise_masking_columns();

// "a,b,c\n"
std::string csv_header(const std::vector<std::string>& columns);

}  // namespace speechleak::rundir
