#include "speechleak/runtime/versions.h"

#include <torch/version.h>

namespace speechleak::runtime {

nlohmann::json versions_json() { return {{"speechleak", SPEECHLEAK_VERSION}, {"libtorch", TORCH_VERSION}}; }

}  // namespace speechleak::runtime
