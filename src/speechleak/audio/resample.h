#pragma once
// Sample-rate conversion with libsoxr (the library behind sox's `rate`), high quality by default.
#include <span>
#include <vector>

namespace speechleak::audio {

enum class ResampleQuality { Quick, Low, Medium, High, VeryHigh };

std::vector<float> resample(std::span<const float> input, int from_rate, int to_rate,
                            ResampleQuality quality = ResampleQuality::High);

}  // namespace speechleak::audio
