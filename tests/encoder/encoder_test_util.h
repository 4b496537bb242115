#pragma once
// Shared by the encoder tests: fixture paths, inputs and the parity measure.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/tensor_io.h"

namespace speechleak::encoder::test {

inline std::filesystem::path fixtures() {
  return std::filesystem::path(SPEECHLEAK_SOURCE_DIR) / "tests/fixtures/encoder";
}

// wave0..wave2 of inputs.safetensors: 0.6, 1.0 and 1.37 s, un-normalised.
inline std::vector<at::Tensor> input_waves() {
  auto t = load_tensors(fixtures() / "inputs.safetensors");
  return {t.at("wave0"), t.at("wave1"), t.at("wave2")};
}

// Parity measure used throughout: max |a - b| / max |b| over the whole state (b = reference). Relative to the
// state's scale, so one threshold fits states of any magnitude; 1e-4 in float32.
inline double rel_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

inline constexpr double kTolerance = 1e-4;

// Pads waves into [B, T] with lengths [B].
inline std::pair<at::Tensor, at::Tensor> batch_of(const std::vector<at::Tensor>& waves) {
  int64_t t = 0;
  for (const auto& w : waves) t = std::max(t, w.size(0));
  auto out = at::zeros({static_cast<int64_t>(waves.size()), t});
  auto lengths = at::empty({static_cast<int64_t>(waves.size())}, at::kLong);
  for (size_t i = 0; i < waves.size(); ++i) {
    out[i].narrow(0, 0, waves[i].size(0)).copy_(waves[i]);
    lengths[i] = waves[i].size(0);
  }
  return {out, lengths};
}

// Compares every state of `out` (utterance b = wave index waves[b]) to <fixture>/reference.safetensors.
inline void expect_matches_reference(const EncoderOutput& out, const std::string& fixture,
                                     const std::vector<int>& wave_index, const std::string& what) {
  auto ref = load_tensors(fixtures() / fixture / "reference.safetensors");
  for (int s : out.states()) {
    for (size_t b = 0; b < wave_index.size(); ++b) {
      const auto key = "state" + std::to_string(s) + "_wave" + std::to_string(wave_index[b]);
      const auto& r = ref.at(key);
      auto got = out.utterance(s, static_cast<int64_t>(b));
      ASSERT_EQ(got.sizes(), r.sizes()) << what << " " << key;
      EXPECT_LE(rel_error(got, r), kTolerance) << what << " " << key;
    }
  }
}

}  // namespace speechleak::encoder::test
