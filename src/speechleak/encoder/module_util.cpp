#include "speechleak/encoder/module_util.h"

#include <torch/autograd.h>

#include <cmath>
#include <vector>

namespace speechleak::encoder {

namespace {

// Exact GELU whose backward hands libtorch's gelu_backward contiguous inputs. Debian's libtorch 1.13.1 computes
// gelu's backward wrongly (garbage, sometimes inf) when the incoming gradient is not contiguous, as it is behind the
// transposes after the conv extractor and the positional convolution. Writing GELU out with erf also avoids the bug,
// but costs five elementwise passes forward and more backward over the extractor's large activations: training the
// small preset was ~1.8x slower (bench/pretrain_bench.sh).
struct ContiguousGradGelu : torch::autograd::Function<ContiguousGradGelu> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x) {
    ctx->save_for_backward({x});
    return at::gelu(x);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto x = ctx->get_saved_variables()[0];
    return {at::gelu_backward(grads[0].contiguous(), x.contiguous())};
  }
};

}  // namespace

at::Tensor gelu_for_training(const at::Tensor& x) { return ContiguousGradGelu::apply(x); }

at::Tensor activate(const at::Tensor& x, Activation a) {
  switch (a) {
    case Activation::Gelu:
      // With a gradient: a GELU whose backward works around a libtorch 1.13.1 bug (above). Inference unchanged.
      if (x.requires_grad() && at::GradMode::is_enabled()) return gelu_for_training(x);
      return at::gelu(x);
    case Activation::GeluTanh: return at::gelu(x, "tanh");
    case Activation::Relu: return at::relu(x);
    case Activation::Silu: return at::silu(x);
  }
  return x;
}

void PreparedLinear::prepare(std::initializer_list<torch::nn::Linear> layers, ComputePrecision p) {
  std::vector<at::Tensor> ws, bs;
  bool has_bias = true;
  for (const auto& l : layers) {
    ws.push_back(l->weight.detach());
    has_bias = has_bias && l->bias.defined();
    if (l->bias.defined()) bs.push_back(l->bias.detach());
  }
  const auto dtype = p == ComputePrecision::BF16 ? at::kBFloat16 : at::kFloat;
  // clone(): a snapshot, so that later in-place updates of the parameters cannot alias half-way.
  weight = (ws.size() == 1 ? ws[0].clone() : at::cat(ws, 0)).to(dtype).contiguous();
  bias = has_bias ? (bs.size() == 1 ? bs[0].clone() : at::cat(bs, 0)).to(dtype) : at::Tensor();
}

at::Tensor PreparedLinear::operator()(const at::Tensor& x) const {
  if (weight.scalar_type() == x.scalar_type()) return at::linear(x, weight, bias);
  return at::linear(x.to(weight.scalar_type()), weight, bias).to(x.scalar_type());
}

at::Tensor linear(torch::nn::Linear& layer, const PreparedLinear& prepared, const at::Tensor& x) {
  if (prepared.ready() && !layer->is_training()) return prepared(x);
  return layer->forward(x);
}

}  // namespace speechleak::encoder
