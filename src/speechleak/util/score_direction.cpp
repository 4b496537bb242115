#include "speechleak/util/score_direction.h"

#include "speechleak/util/error.h"

namespace speechleak {

ScoreDirection parse_score_direction(const std::string& name, const std::string& option) {
  if (name == "high") return ScoreDirection::High;
  if (name == "low") return ScoreDirection::Low;
  throw invalid_argument(option, "high or low", "'" + name + "'");
}

std::string to_string(ScoreDirection d) { return d == ScoreDirection::High ? "high" : "low"; }

}  // namespace speechleak
