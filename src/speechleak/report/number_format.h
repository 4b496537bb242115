#pragma once
// Numbers as the report's tables and chart labels show them.
#include <string>

namespace speechleak::report {

// "0.731": `digits` decimals.
std::string fixed(double x, int digits);
// "12.50%": x as a percentage with `digits` decimals.
std::string percent(double x, int digits);

}  // namespace speechleak::report
