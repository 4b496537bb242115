#pragma once
// Which reference run trains on which candidate (docs/calibrated-attacks.md): runs x units booleans, a unit being a
// candidate speaker (whole speakers in or out) or a candidate utterance. Torch-free.
//
// The online draw is the LiRA code's balanced one: for each unit, a seeded permutation of the runs, IN for the
// first floor(runs / 2), so every unit is IN for exactly half the runs (runs even) and OUT for the rest. Offline
// reference sets keep every unit OUT: their runs never train on a candidate.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace speechleak::references {

enum class Unit { Speaker, Utterance };
Unit parse_unit(const std::string& name);  // "speaker" | "utterance"; InvalidArgument naming --unit
std::string to_string(Unit unit);

struct KeepMatrix {
  Unit unit = Unit::Speaker;
  std::vector<std::string> units;         // unit ids, sorted, unique (keep's columns)
  std::vector<std::vector<bool>> keep;    // [runs][units]

  size_t runs() const { return keep.size(); }
  // Column of `unit_id`, or -1 when it is not a candidate.
  int64_t column(const std::string& unit_id) const;
  bool in(size_t run, const std::string& unit_id) const;  // false for non-candidates
  // Units IN for `run`, in column order.
  std::vector<std::string> in_units(size_t run) const;
  // True when no run trains on any candidate.
  bool offline() const;

  // Throws InvalidArgument: no runs, unsorted or repeated units, ragged rows.
  void validate() const;
  nlohmann::json to_json() const;  // {"unit", "units", "keep": [[0/1...]...]}
  static KeepMatrix from_json(const nlohmann::json& j, const std::string& source);
};

// The balanced draw above, seeded by derive_seed(seed, "keep/<unit id>") per unit (a unit's column does not depend
// on the other units). runs >= 2.
KeepMatrix balanced_keep(std::vector<std::string> units, Unit unit, size_t runs, uint64_t seed);
// Every unit OUT of every run. runs >= 1.
KeepMatrix offline_keep(std::vector<std::string> units, Unit unit, size_t runs);

}  // namespace speechleak::references
