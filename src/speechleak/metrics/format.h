#pragma once
// Number formatting for the room's text outputs (CSV, JSON keys, config strings).
#include <string>

namespace speechleak::metrics {

// Shortest decimal form that reads back to the same double ("0.001", "0.95", "inf", "-inf", "nan").
std::string format_double(double x);

}  // namespace speechleak::metrics
