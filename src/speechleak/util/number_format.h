#pragma once
// Numbers as text, independent of the process locale: std::to_chars formats "in the style of printf in the C
// locale" (C++ [charconv.to.chars]), so fixed(x, 4) equals printf("%.4f") under LC_NUMERIC=C whatever locale a
// host program installed with setlocale() or std::locale::global(). Every number speechleak writes (CSV, JSON
// strings, tables, config summaries, hashes of configs) goes through here or through nlohmann::json.
#include <cstdint>
#include <string>

namespace speechleak::text {

// "%.*f": `digits` decimals ("0.9566").
std::string fixed(double x, int digits);
// "%.*g": `precision` significant digits; general(x) is what `std::ostream << x` prints by default (6).
std::string general(double x, int precision = 6);
// "%.*e" ("2.000000e-03").
std::string scientific(double x, int precision);
// The shortest text that reads back to the same double ("0.001", "0.95", "inf", "-inf", "nan").
std::string shortest(double x);
// x as a percentage: "12.50%" for fixed(100 x, digits).
std::string percent(double x, int digits);
// 16 lower-case hex digits.
std::string hex64(uint64_t x);

}  // namespace speechleak::text
