#pragma once
// IEEE 754 binary16 <-> binary32, so that torch-free code can read and write fp16 feature frames.
#include <cstdint>

namespace speechleak::features {

float half_to_float(uint16_t h);
uint16_t float_to_half(float f);  // round to nearest even; overflow -> inf

}  // namespace speechleak::features
