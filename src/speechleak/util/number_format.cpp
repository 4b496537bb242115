#include "speechleak/util/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace speechleak::text {
namespace {

// Long enough for any double in fixed notation (up to ~310 integer digits) plus the requested decimals.
constexpr int kMaxDigits = 100;
constexpr size_t kBuffer = 420;

template <typename... Format>
std::string to_text(double x, Format... format) {
  char buffer[kBuffer];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, x, format...);
  return std::string(buffer, r.ptr);
}

int clamp_digits(int d) { return d < 0 ? 0 : d > kMaxDigits ? kMaxDigits : d; }

}  // namespace

std::string fixed(double x, int digits) { return to_text(x, std::chars_format::fixed, clamp_digits(digits)); }

std::string general(double x, int precision) {
  return to_text(x, std::chars_format::general, clamp_digits(precision));
}

std::string scientific(double x, int precision) {
  return to_text(x, std::chars_format::scientific, clamp_digits(precision));
}

std::string shortest(double x) { return to_text(x); }

std::string percent(double x, int digits) { return fixed(100 * x, digits) + "%"; }

std::string hex64(uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

}  // namespace speechleak::text
