#pragma once
// Config validation one-liners. Each throws InvalidArgument naming the option (as its CLI flag where it has one),
// the expected and the actual value; numbers are printed with util/number_format.h.
#include <initializer_list>
#include <string>

namespace speechleak {

void require_positive(const std::string& name, double v);                  // v > 0 (and not NaN)
void require_at_least(const std::string& name, long long v, long long min);  // v >= min
void require_range(const std::string& name, double v, double lo, double hi);  // lo <= v <= hi (and not NaN)
void require_one_of(const std::string& name, const std::string& v, std::initializer_list<const char*> options);

}  // namespace speechleak
