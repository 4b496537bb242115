#pragma once
// The tiny encoder the training and recognition tests build: conv 16 x 7 (standard strides: 320 samples per
// frame), width 32, 2 layers, 2 heads. A step trains in milliseconds.
#include <string>

#include "speechleak/encoder/hf_config.h"

namespace speechleak::testing {

inline encoder::Wav2Vec2Config tiny_encoder_config(const std::string& model_type = "hubert") {
  encoder::Wav2Vec2Config c;
  c.model_type = model_type;
  c.conv_dim.assign(7, 16);
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 64;
  c.num_conv_pos_embeddings = 8;
  c.num_conv_pos_embedding_groups = 4;
  return c;
}

}  // namespace speechleak::testing
