#include "speechleak/encoder/transformer.h"

#include <cmath>
#include <limits>

#include "speechleak/encoder/relative_position.h"
#include "speechleak/util/error.h"

namespace speechleak::encoder {

namespace nn = torch::nn;

SelfAttentionImpl::SelfAttentionImpl(int embed_dim, int num_heads, const RelativePositionBias& relative)
    : heads_(num_heads), head_dim_(embed_dim / num_heads), relative_(relative) {
  q_proj = register_module("q_proj", nn::Linear(embed_dim, embed_dim));
  k_proj = register_module("k_proj", nn::Linear(embed_dim, embed_dim));
  v_proj = register_module("v_proj", nn::Linear(embed_dim, embed_dim));
  out_proj = register_module("out_proj", nn::Linear(embed_dim, embed_dim));
  if (relative.gated) {
    gru_rel_pos_const = register_parameter("gru_rel_pos_const", at::ones({1, num_heads, 1, 1}));
    gru_rel_pos_linear = register_module("gru_rel_pos_linear", nn::Linear(head_dim_, 8));
  }
  if (relative.embedding)
    rel_attn_embed = register_module("rel_attn_embed", nn::Embedding(relative.num_buckets, num_heads));
}

at::Tensor SelfAttentionImpl::position_bias(int64_t frames) {
  if (!rel_attn_embed) throw invalid_argument("position_bias", "the layer with rel_attn_embed (layer 0)", "another");
  const auto buckets = relative_position_buckets(frames, relative_.num_buckets, relative_.max_distance,
                                                 rel_attn_embed->weight.device());
  return rel_attn_embed->forward(buckets).permute({2, 0, 1}).unsqueeze(0);  // [1, H, T, T]
}

at::Tensor SelfAttentionImpl::gate(const at::Tensor& x, const at::Tensor& position_bias) {
  const int64_t b = x.size(0), t = x.size(1);
  const auto per_head = x.view({b, t, heads_, head_dim_}).permute({0, 2, 1, 3});  // [B, H, T, hd]
  const auto proj = gru_rel_pos_linear->forward(per_head).view({b, heads_, t, 2, 4}).sum(-1);
  const auto ab = at::sigmoid(proj).chunk(2, -1);                               // 2 x [B, H, T, 1]
  return (ab[0] * (ab[1] * gru_rel_pos_const - 1.0) + 2.0) * position_bias;  // [B, H, T, T]
}

void SelfAttentionImpl::prepare_inference(ComputePrecision p) {
  precision_ = p;
  qkv_.prepare({q_proj, k_proj, v_proj}, p);
  out_.prepare({out_proj}, p);
}

void SelfAttentionImpl::train(bool on) {
  if (on) qkv_.clear(), out_.clear(), precision_ = ComputePrecision::F32;
  nn::Module::train(on);
}

at::Tensor SelfAttentionImpl::forward(const at::Tensor& x, const at::Tensor& additive_mask,
                                      const at::Tensor& position_bias) {
  const int64_t b = x.size(0), t = x.size(1), d = x.size(2);
  at::Tensor q, k, v;  // [B, H, T, hd], in the compute dtype
  if (qkv_.ready() && !is_training()) {
    const auto& w = qkv_.weight;
    auto qkv = at::linear(x.to(w.scalar_type()), w, qkv_.bias);       // [B, T, 3D]
    auto parts = qkv.view({b, t, 3, heads_, head_dim_}).permute({2, 0, 3, 1, 4});  // [3, B, H, T, hd]
    q = parts[0], k = parts[1], v = parts[2];
  } else {
    q = q_proj->forward(x).view({b, t, heads_, head_dim_}).transpose(1, 2);
    k = k_proj->forward(x).view({b, t, heads_, head_dim_}).transpose(1, 2);
    v = v_proj->forward(x).view({b, t, heads_, head_dim_}).transpose(1, 2);
  }
  const double scaling = 1.0 / std::sqrt(static_cast<double>(head_dim_));
  auto scores = at::matmul(q * scaling, k.transpose(-2, -1)).to(at::kFloat);  // [B, H, T, T]
  if (position_bias.defined()) scores = scores + gate(x.to(at::kFloat), position_bias);
  if (additive_mask.defined()) scores = scores + additive_mask;
  auto probs = at::softmax(scores, -1).to(q.scalar_type());               // softmax in float32
  auto context = at::matmul(probs, v).transpose(1, 2).reshape({b, t, d});  // [B, T, D]
  if (out_.ready() && !is_training()) return out_(context).to(at::kFloat);
  return out_proj->forward(context);
}

FeedForwardImpl::FeedForwardImpl(int embed_dim, int intermediate, Activation activation) : activation_(activation) {
  intermediate_dense = register_module("intermediate_dense", nn::Linear(embed_dim, intermediate));
  output_dense = register_module("output_dense", nn::Linear(intermediate, embed_dim));
}

void FeedForwardImpl::prepare_inference(ComputePrecision p) {
  in_.prepare({intermediate_dense}, p);
  out_.prepare({output_dense}, p);
}

void FeedForwardImpl::train(bool on) {
  if (on) in_.clear(), out_.clear();
  nn::Module::train(on);
}

at::Tensor FeedForwardImpl::forward(const at::Tensor& x) {
  auto h = activate(linear(intermediate_dense, in_, x), activation_);
  return linear(output_dense, out_, h);
}

EncoderLayerImpl::EncoderLayerImpl(const Wav2Vec2Config& c, int index) : pre_norm_(c.do_stable_layer_norm) {
  const auto ln = nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps);
  RelativePositionBias relative;
  if (c.has_relative_position_bias())
    relative = {true, index == 0, c.num_buckets, c.max_bucket_distance};
  attention = register_module("attention", SelfAttention(c.hidden_size, c.num_attention_heads, relative));
  layer_norm = register_module("layer_norm", nn::LayerNorm(ln));
  feed_forward = register_module("feed_forward", FeedForward(c.hidden_size, c.intermediate_size, c.hidden_act));
  final_layer_norm = register_module("final_layer_norm", nn::LayerNorm(ln));
}

void EncoderLayerImpl::prepare_inference(ComputePrecision p) {
  attention->prepare_inference(p);
  feed_forward->prepare_inference(p);
}

at::Tensor EncoderLayerImpl::forward(const at::Tensor& x, const at::Tensor& additive_mask,
                                     const at::Tensor& position_bias) {
  if (pre_norm_) {
    auto h = x + attention->forward(layer_norm->forward(x), additive_mask, position_bias);
    return h + feed_forward->forward(final_layer_norm->forward(h));
  }
  auto h = layer_norm->forward(x + attention->forward(x, additive_mask, position_bias));
  return final_layer_norm->forward(h + feed_forward->forward(h));
}

TransformerEncoderImpl::TransformerEncoderImpl(const Wav2Vec2Config& c) : stable_(c.do_stable_layer_norm) {
  if (!c.is_tera()) pos_conv_embed = register_module("pos_conv_embed", PositionalConvEmbedding(c));
  layer_norm = register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  layers = register_module("layers", nn::ModuleList());
  for (int i = 0; i < c.num_hidden_layers; ++i) {
    layers_.emplace_back(c, i);
    layers->push_back(layers_.back());
  }
}

void TransformerEncoderImpl::prepare_inference(ComputePrecision p) {
  if (pos_conv_embed) pos_conv_embed->conv->prepare_inference(p);
  for (auto& l : layers_) l->prepare_inference(p);
}

std::vector<at::Tensor> TransformerEncoderImpl::forward_states(const at::Tensor& x, const at::Tensor& padding,
                                                               const std::vector<bool>& keep) {
  const int max_state = static_cast<int>(keep.size()) - 1;
  if (max_state < 0 || max_state > num_layers())
    throw invalid_argument("keep", "1 to " + std::to_string(num_layers() + 1) + " entries",
                           std::to_string(keep.size()));
  auto h = x;
  at::Tensor mask;  // [B, 1, 1, T] additive
  if (padding.defined() && padding.any().item<bool>()) {
    // HF zeroes padded frames before the positional convolution, so that a valid frame near the end sees the
    // same zeros as an unpadded utterance does through the convolution's own zero padding.
    h = x.masked_fill(padding.unsqueeze(-1), 0.0);
    mask = at::zeros({x.size(0), 1, 1, x.size(1)}, x.options().dtype(at::kFloat))
               .masked_fill_(padding.view({x.size(0), 1, 1, x.size(1)}), std::numeric_limits<float>::lowest());
  }
  h = h + (pos_conv_embed ? pos_conv_embed->forward(h)
                           : sinusoidal_positions(h.size(1), h.size(2), h.options()).unsqueeze(0));
  if (!stable_) h = layer_norm->forward(h);
  std::vector<at::Tensor> states(keep.size());
  if (keep[0]) states[0] = h;
  // WavLM: layer 0's bias serves every layer (HF passes it down the stack), each gating it on its own input.
  at::Tensor bias;
  if (max_state > 0 && layers_[0]->attention->rel_attn_embed) bias = layers_[0]->attention->position_bias(x.size(1));
  for (int l = 1; l <= max_state; ++l) {
    h = layers_[l - 1]->forward(h, mask, bias);
    if (l == num_layers() && stable_) h = layer_norm->forward(h);
    if (keep[l]) states[l] = h;
  }
  return states;
}

at::Tensor TransformerEncoderImpl::forward(const at::Tensor& x, const at::Tensor& padding) {
  std::vector<bool> keep(num_layers() + 1, false);
  keep.back() = true;
  return forward_states(x, padding, keep).back();
}

}  // namespace speechleak::encoder
