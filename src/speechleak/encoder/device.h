#pragma once
// EncoderOptions::device -> c10::Device, with a clear error where CUDA is asked for and absent.
#include <c10/core/Device.h>

#include <string>

namespace speechleak::encoder {

// "cpu" | "cuda" | "cuda:N". Throws InvalidArgument when CUDA is requested and this libtorch has none (Debian's
// libtorch is a CPU build) or no GPU is visible.
c10::Device resolve_device(const std::string& device);

}  // namespace speechleak::encoder
