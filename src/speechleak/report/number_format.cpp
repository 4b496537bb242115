#include "speechleak/report/number_format.h"

#include <cstdio>

namespace speechleak::report {

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::string percent(double x, int digits) { return fixed(100 * x, digits) + "%"; }

}  // namespace speechleak::report
