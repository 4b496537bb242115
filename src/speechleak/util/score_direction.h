#pragma once
// Which way a membership score points, one type for every room: the basic attacks' raw scores, the end of the
// auxiliary ranking the improved attacks label "seen", the audit's direction rule, and the run directory's
// "direction" field ("high" | "low").
//
// High (the paper's rule): members score above non-members, so the oriented score is the raw score. Low: members
// score below (measured on small self-pretrained models), so the oriented score is -raw.
#include <string>

namespace speechleak {

enum class ScoreDirection { High, Low };

// "high" | "low"; InvalidArgument naming `option` otherwise.
ScoreDirection parse_score_direction(const std::string& name, const std::string& option = "direction");
std::string to_string(ScoreDirection d);
// The score with higher = more likely member.
inline double oriented(double raw, ScoreDirection d) { return d == ScoreDirection::High ? raw : -raw; }

}  // namespace speechleak
