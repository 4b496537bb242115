#include "speechleak/runtime/device.h"

#include <ATen/Context.h>

#include "speechleak/util/error.h"

namespace speechleak::runtime {

c10::Device resolve_device(const std::string& device, const std::string& what) {
  if (device == "cpu") return c10::Device(c10::kCPU);
  if (device == "cuda" || device.rfind("cuda:", 0) == 0) {
    if (!at::hasCUDA())
      throw invalid_argument(what, "\"cpu\" (this libtorch was built without CUDA or sees no GPU)",
                             "\"" + device + "\"");
    try {
      return c10::Device(device);
    } catch (const c10::Error&) {
      throw invalid_argument(what, "\"cuda\" or \"cuda:N\"", "\"" + device + "\"");
    }
  }
  throw invalid_argument(what, "\"cpu\", \"cuda\" or \"cuda:N\"", "\"" + device + "\"");
}

}  // namespace speechleak::runtime
