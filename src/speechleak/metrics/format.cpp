#include "speechleak/metrics/format.h"

#include <charconv>

namespace speechleak::metrics {

std::string format_double(double x) {
  char buffer[64];
  // std::to_chars without a precision gives the shortest round-trip representation and is locale-independent.
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), x);
  return std::string(buffer, result.ptr);
}

}  // namespace speechleak::metrics
