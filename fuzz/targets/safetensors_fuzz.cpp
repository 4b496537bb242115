// safetensors image (header length, JSON header, byte buffer) -> SafetensorsFile::parse, then every tensor read.
#include <cstring>

#include "fuzz_input.h"
#include "speechleak/encoder/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::byte> image(size);
  if (size) std::memcpy(image.data(), data, size);
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    auto file = speechleak::encoder::SafetensorsFile::parse(std::move(image), "fuzz.safetensors");
    size_t sum = 0;
    for (const auto& t : file.tensors()) {
      // The validated views must stay inside the image: touch their first and last byte.
      if (!t.bytes.empty()) sum += static_cast<size_t>(t.bytes.front()) + static_cast<size_t>(t.bytes.back());
      sum += static_cast<size_t>(t.numel());
    }
    for (const auto& [k, v] : file.metadata()) sum += k.size() + v.size();
    (void)sum;
  });
  return 0;
}
