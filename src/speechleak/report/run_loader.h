#pragma once
// Reads a run directory (docs/run-directory.md) into a RunData. Strict: the report is only as good as its input, so
// a missing file is a FileError and a malformed one a FormatError, each naming the file (and the line of a bad
// CSV row, or the JSON field).
#include <filesystem>

#include <nlohmann/json.hpp>

#include "speechleak/report/run_data.h"

namespace speechleak::report {

// Needs config.json, summary.json, and for every summary entry roc/<level>-<attack>.csv and
// scores/<level>-<attack>.csv; reads every scores/speaker-*.csv for the speaker table. Inconsistencies that do
// not stop a report (score counts that differ from summary.json) become warnings prefixed "report: ".
RunData load_run(const std::filesystem::path& dir);

// The parts of load_run, for tests and other readers.
Metrics parse_metrics(const nlohmann::json& metrics, const std::filesystem::path& file, const std::string& where);
std::vector<RocPoint> read_roc(const std::filesystem::path& file);
// Scores split by the member column: {members, nonmembers}.
std::pair<std::vector<double>, std::vector<double>> read_scores(const std::filesystem::path& file);
// Sorted most exposed first (score descending, then speaker id).
std::vector<SpeakerScore> read_speaker_scores(const std::filesystem::path& file);

}  // namespace speechleak::report
