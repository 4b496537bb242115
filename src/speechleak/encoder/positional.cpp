#include "speechleak/encoder/positional.h"

#include <cmath>

namespace speechleak::encoder {

WeightNormConv1dImpl::WeightNormConv1dImpl(int channels, int kernel, int groups) : kernel_(kernel), groups_(groups) {
  // Same initialisation as torch's Conv1d + weight_norm: kaiming-uniform v, g = ||v||, uniform bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(channels / groups) * kernel);
  auto v = at::empty({channels, channels / groups, kernel}).uniform_(-bound, bound);
  weight_v = register_parameter("weight_v", v);
  weight_g = register_parameter("weight_g", at::norm_except_dim(v.detach(), 2, 2));  // a leaf
  bias = register_parameter("bias", at::empty({channels}).uniform_(-bound, bound));
}

at::Tensor WeightNormConv1dImpl::fused_weight() const { return at::_weight_norm(weight_v, weight_g, 2); }

void WeightNormConv1dImpl::set_from_fused(const at::Tensor& weight) {
  at::NoGradGuard no_grad;
  weight_v.copy_(weight);
  weight_g.copy_(at::norm_except_dim(weight, 2, 2));
}

void WeightNormConv1dImpl::prepare_inference(ComputePrecision p) {
  at::NoGradGuard no_grad;
  const auto dtype = p == ComputePrecision::BF16 ? at::kBFloat16 : at::kFloat;
  prepared_weight_ = fused_weight().to(dtype).contiguous();
  prepared_bias_ = bias.detach().to(dtype);
}

void WeightNormConv1dImpl::train(bool on) {
  if (on) prepared_weight_ = prepared_bias_ = at::Tensor();
  torch::nn::Module::train(on);
}

at::Tensor WeightNormConv1dImpl::forward(const at::Tensor& x) {
  const int64_t pad = kernel_ / 2;
  if (prepared_weight_.defined() && !is_training()) {
    if (prepared_weight_.scalar_type() == x.scalar_type())
      return at::conv1d(x, prepared_weight_, prepared_bias_, 1, pad, 1, groups_);
    return at::conv1d(x.to(prepared_weight_.scalar_type()), prepared_weight_, prepared_bias_, 1, pad, 1, groups_)
        .to(x.scalar_type());
  }
  return at::conv1d(x, fused_weight(), bias, 1, pad, 1, groups_);
}

PositionalConvEmbeddingImpl::PositionalConvEmbeddingImpl(const Wav2Vec2Config& c)
    : drop_last_(c.num_conv_pos_embeddings % 2 == 0), activation_(c.feat_extract_activation) {
  conv = register_module("conv", WeightNormConv1d(c.hidden_size, c.num_conv_pos_embeddings,
                                                  c.num_conv_pos_embedding_groups));
}

at::Tensor PositionalConvEmbeddingImpl::forward(const at::Tensor& x) {
  auto y = conv->forward(x.transpose(1, 2));  // [B, D, T(+1)]
  if (drop_last_) y = y.narrow(2, 0, y.size(2) - 1);
  return activate(y, activation_).transpose(1, 2);
}

at::Tensor sinusoidal_positions(int64_t frames, int64_t width, const at::TensorOptions& options) {
  auto opts = at::TensorOptions().dtype(at::kDouble);
  auto position = at::arange(frames, opts).unsqueeze(1);                 // [T, 1]
  auto pair = at::floor_divide(at::arange(width, opts), 2.0);            // i for columns 2i and 2i + 1
  auto angle = position / at::pow(10000.0, 2.0 * pair / static_cast<double>(width)).unsqueeze(0);  // [T, D]
  auto even = at::arange(width, at::TensorOptions().dtype(at::kLong)).remainder(2).eq(0);
  return at::where(even.unsqueeze(0), at::sin(angle), at::cos(angle)).to(options);
}

}  // namespace speechleak::encoder
