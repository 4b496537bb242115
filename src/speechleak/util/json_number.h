#pragma once
// Integers read from JSON files of outside origin (configs, headers, indexes). nlohmann's get<int>() also converts
// floats, and a float outside the target type's range (1e300 as a layer count) makes that conversion undefined
// behaviour; a large integer would silently wrap. These accept only a JSON integer that fits the target type.
#include <concepts>
#include <cstdint>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

namespace speechleak {

// The value of `v` as a T when `v` is a JSON integer (not a float, bool or string) within T's range.
template <std::integral T>
  requires(!std::same_as<T, bool>)
std::optional<T> json_integer(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (std::in_range<T>(u)) return static_cast<T>(u);
  } else if (v.is_number_integer()) {
    const auto s = v.get<int64_t>();
    if (std::in_range<T>(s)) return static_cast<T>(s);
  }
  return std::nullopt;
}

}  // namespace speechleak
