#include "speechleak/train/model_init.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <cmath>

namespace speechleak::train {

encoder::Wav2Vec2Model init_encoder_model(const encoder::Wav2Vec2Config& config) {
  encoder::Wav2Vec2Model model(config);
  at::NoGradGuard no_grad;
  for (auto& m : model->modules(/*include_self=*/false)) {
    if (auto* lin = m->as<torch::nn::Linear>()) {
      torch::nn::init::normal_(lin->weight, 0.0, 0.02);
      if (lin->bias.defined()) torch::nn::init::zeros_(lin->bias);
    } else if (auto* conv = m->as<torch::nn::Conv1d>()) {
      torch::nn::init::kaiming_normal_(conv->weight);
      if (conv->bias.defined()) torch::nn::init::zeros_(conv->bias);
    } else if (auto* ln = m->as<torch::nn::LayerNorm>()) {
      torch::nn::init::ones_(ln->weight), torch::nn::init::zeros_(ln->bias);
    } else if (auto* gn = m->as<torch::nn::GroupNorm>()) {
      torch::nn::init::ones_(gn->weight), torch::nn::init::zeros_(gn->bias);
    }
  }
  if (model->encoder->pos_conv_embed) {  // TERA's positions are sinusoidal, without parameters
    auto& pos = model->encoder->pos_conv_embed->conv;
    const auto& c = model->config();
    const double std = 2.0 * std::sqrt(1.0 / (c.num_conv_pos_embeddings * c.hidden_size));
    torch::nn::init::normal_(pos->weight_v, 0.0, std);
    pos->weight_g.copy_(at::norm_except_dim(pos->weight_v, 2, 2));
    torch::nn::init::zeros_(pos->bias);
  }
  model->masked_spec_embed.uniform_(0, 1);
  return model;
}

}  // namespace speechleak::train
