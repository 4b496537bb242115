#include "speechleak/references/keep_matrix.h"

#include <algorithm>

#include "speechleak/util/error.h"
#include "speechleak/util/json_number.h"
#include "speechleak/util/random.h"

namespace speechleak::references {
namespace {

std::vector<std::string> sorted_unique(std::vector<std::string> units) {
  std::sort(units.begin(), units.end());
  units.erase(std::unique(units.begin(), units.end()), units.end());
  if (units.empty()) throw invalid_argument("candidates", "at least one candidate unit", "none");
  return units;
}

}  // namespace

Unit parse_unit(const std::string& name) {
  if (name == "speaker") return Unit::Speaker;
  if (name == "utterance") return Unit::Utterance;
  throw invalid_argument("--unit", "speaker or utterance", "'" + name + "'");
}

std::string to_string(Unit unit) { return unit == Unit::Speaker ? "speaker" : "utterance"; }

int64_t KeepMatrix::column(const std::string& unit_id) const {
  auto it = std::lower_bound(units.begin(), units.end(), unit_id);
  return it != units.end() && *it == unit_id ? it - units.begin() : -1;
}

bool KeepMatrix::in(size_t run, const std::string& unit_id) const {
  const auto c = column(unit_id);
  return c >= 0 && keep.at(run)[static_cast<size_t>(c)];
}

std::vector<std::string> KeepMatrix::in_units(size_t run) const {
  std::vector<std::string> out;
  for (size_t c = 0; c < units.size(); ++c)
    if (keep.at(run)[c]) out.push_back(units[c]);
  return out;
}

bool KeepMatrix::offline() const {
  for (const auto& row : keep)
    if (std::find(row.begin(), row.end(), true) != row.end()) return false;
  return true;
}

void KeepMatrix::validate() const {
  if (keep.empty()) throw invalid_argument("keep matrix", "at least one run", "none");
  for (size_t i = 1; i < units.size(); ++i)
    if (!(units[i - 1] < units[i]))
      throw invalid_argument("keep matrix units", "sorted and unique", "'" + units[i - 1] + "' before '" + units[i] + "'");
  for (size_t r = 0; r < keep.size(); ++r)
    if (keep[r].size() != units.size())
      throw invalid_argument("keep matrix run " + std::to_string(r), std::to_string(units.size()) + " columns",
                             std::to_string(keep[r].size()));
}

nlohmann::json KeepMatrix::to_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : keep) {
    std::vector<int> r(row.begin(), row.end());
    rows.push_back(r);
  }
  return {{"unit", to_string(unit)}, {"units", units}, {"keep", rows}};
}

KeepMatrix KeepMatrix::from_json(const nlohmann::json& j, const std::string& source) {
  KeepMatrix k;
  try {
    k.unit = parse_unit(j.at("unit").get<std::string>());
    k.units = j.at("units").get<std::vector<std::string>>();
    for (const auto& row : j.at("keep")) {
      std::vector<bool> r;
      for (const auto& v : row) {
        const auto flag = json_integer<int>(v);
        if (!flag || (*flag != 0 && *flag != 1))
          throw FormatError(source, "keep matrix: expected 0 or 1 in 'keep', got " + v.dump());
        r.push_back(*flag == 1);
      }
      k.keep.push_back(std::move(r));
    }
    k.validate();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source, std::string("keep matrix: ") + e.what());
  } catch (const InvalidArgument& e) {
    throw FormatError(source, e.what());
  }
  return k;
}

KeepMatrix balanced_keep(std::vector<std::string> units, Unit unit, size_t runs, uint64_t seed) {
  if (runs < 2) throw invalid_argument("--runs", ">= 2 for online references (each candidate IN for half)", std::to_string(runs));
  KeepMatrix k{unit, sorted_unique(std::move(units)), {}};
  k.keep.assign(runs, std::vector<bool>(k.units.size(), false));
  for (size_t c = 0; c < k.units.size(); ++c) {
    const auto order = seeded_permutation(runs, derive_seed(seed, "keep/" + k.units[c]));
    for (size_t i = 0; i < runs / 2; ++i) k.keep[order[i]][c] = true;
  }
  return k;
}

KeepMatrix offline_keep(std::vector<std::string> units, Unit unit, size_t runs) {
  if (runs < 1) throw invalid_argument("--runs", ">= 1", std::to_string(runs));
  KeepMatrix k{unit, sorted_unique(std::move(units)), {}};
  k.keep.assign(runs, std::vector<bool>(k.units.size(), false));
  return k;
}

}  // namespace speechleak::references
