#pragma once
// Device strings of every command ("cpu", "cuda", "cuda:N") -> c10::Device, with a clear error where CUDA is asked
// for and absent.
#include <c10/core/Device.h>

#include <string>

namespace speechleak::runtime {

// Throws InvalidArgument naming `what` (e.g. "--device") when CUDA is requested and this libtorch has none
// (Debian's libtorch is a CPU build) or no GPU is visible, or when the string is not a device.
c10::Device resolve_device(const std::string& device, const std::string& what = "device");

}  // namespace speechleak::runtime
