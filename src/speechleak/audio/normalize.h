#pragma once
// Waveform normalisation, matching the tools users come from.
#include <span>
#include <string>

namespace speechleak::audio {

enum class Normalization {
  None,
  Peak,            // sox `norm`: scale so that max |x| = 1 (what the MIA paper's authors ran before the model)
  ZeroMeanUnitVar, // Hugging Face feature extractor do_normalize: (x - mean) / sqrt(var + 1e-7)
  LayerNorm        // fairseq `normalize: true`: F.layer_norm over the whole waveform (eps 1e-5)
};

void normalize(std::span<float> samples, Normalization mode);

// "none" | "peak" | "zero-mean-unit-var" (alias "hf") | "layer-norm" (alias "fairseq"); throws InvalidArgument.
Normalization parse_normalization(const std::string& name);
std::string to_string(Normalization mode);

}  // namespace speechleak::audio
