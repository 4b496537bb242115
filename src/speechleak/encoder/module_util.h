#pragma once
// Pieces shared by the wav2vec 2.0 modules: activations, the bf16 matmul mode and prepared (cached) weights.
#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

#include "speechleak/encoder/hf_config.h"

namespace speechleak::encoder {

// Precision of the matrix products at inference. Bf16 is autocast-like: weights and the inputs of every linear
// layer, attention product and convolution are cast to bfloat16, results come back as float32, and all
// normalisations, softmax, activations and residual sums stay in float32.
enum class ComputePrecision { F32, BF16 };

at::Tensor activate(const at::Tensor& x, Activation a);
// Exact GELU for training: its backward makes its inputs contiguous first (libtorch 1.13.1's gelu_backward is wrong
// for a non-contiguous incoming gradient). activate() uses it whenever a gradient is needed.
at::Tensor gelu_for_training(const at::Tensor& x);

// Linear-layer weights prepared once for inference: optionally several layers concatenated along the output
// dimension (fused q/k/v), optionally cast to bf16. Empty (undefined) until prepare() is called.
struct PreparedLinear {
  at::Tensor weight;  // [out, in] in the compute dtype
  at::Tensor bias;    // [out] in the compute dtype (or undefined)

  bool ready() const { return weight.defined(); }
  void prepare(std::initializer_list<torch::nn::Linear> layers, ComputePrecision p);
  void clear() { weight = at::Tensor(), bias = at::Tensor(); }
  // x [..., in] float32 -> [..., out] float32.
  at::Tensor operator()(const at::Tensor& x) const;
};

// x [..., in] -> [..., out] through `layer`, or through `prepared` when it is ready.
at::Tensor linear(torch::nn::Linear& layer, const PreparedLinear& prepared, const at::Tensor& x);

}  // namespace speechleak::encoder
