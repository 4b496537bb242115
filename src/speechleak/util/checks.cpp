#include "speechleak/util/checks.h"

#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak {

void require_positive(const std::string& name, double v) {
  if (!(v > 0)) throw invalid_argument(name, "> 0", text::general(v));
}

void require_at_least(const std::string& name, long long v, long long min) {
  if (v < min) throw invalid_argument(name, ">= " + std::to_string(min), std::to_string(v));
}

void require_range(const std::string& name, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi))
    throw invalid_argument(name, "in [" + text::general(lo) + ", " + text::general(hi) + "]", text::general(v));
}

void require_one_of(const std::string& name, const std::string& v, std::initializer_list<const char*> options) {
  std::string list;
  for (const char* o : options) {
    if (v == o) return;
    list += (list.empty() ? "" : ", ") + std::string(o);
  }
  throw invalid_argument(name, "one of " + list, "'" + v + "'");
}

}  // namespace speechleak
