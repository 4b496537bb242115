#pragma once
// The versions a run records next to its results: {"speechleak": ..., "libtorch": ...}.
#include <nlohmann/json.hpp>

namespace speechleak::runtime {

nlohmann::json versions_json();

}  // namespace speechleak::runtime
