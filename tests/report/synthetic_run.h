#pragma once
// Writes run directories exactly as docs/run-directory.md lays them out, with plausible random scores, using the
// metrics room's own writers (summarize + to_json, roc_curve + write_roc_csv) for summary.json and roc/*.csv.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace speechleak::report::testing {

struct SyntheticRun {
  std::string name = "hubert-base";
  uint64_t seed = 1;
  size_t member_speakers = 30;
  size_t nonmember_speakers = 30;
  size_t utts_per_speaker = 8;
  // Mean shift of member scores in units of the noise: the basic attack gets this, the improved one 1.6x.
  double separation = 0.5;
  std::vector<std::string> warnings;
  // Speaker ids that replace the first member speakers' ids (to test escaping); they score highest.
  std::vector<std::string> special_speaker_ids;
  bool low_direction_for_improved = false;  // records a calibrated "low" direction for the improved attacks
};

void write_synthetic_run(const std::filesystem::path& dir, const SyntheticRun& spec);

}  // namespace speechleak::report::testing
