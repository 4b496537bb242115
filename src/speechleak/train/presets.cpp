#include "speechleak/train/presets.h"

#include <filesystem>

#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::train {

namespace {

// The standard conv extractor (7 layers, 320 samples per frame, 400-sample receptive field) at width `channels`.
encoder::Wav2Vec2Config with_extractor(int channels) {
  encoder::Wav2Vec2Config c;
  c.model_type = "hubert";
  c.conv_dim.assign(7, channels);
  return c;
}

// A small HuBERT-style model: 4 attention heads, the positional convolution in `pos_groups` groups.
encoder::Wav2Vec2Config sized(int channels, int width, int layers, int ffn, int pos_kernel, int pos_groups) {
  auto c = with_extractor(channels);
  c.hidden_size = width;
  c.num_hidden_layers = layers;
  c.num_attention_heads = 4;
  c.intermediate_size = ffn;
  c.num_conv_pos_embeddings = pos_kernel;
  c.num_conv_pos_embedding_groups = pos_groups;
  return c;
}

encoder::Wav2Vec2Config tiny() { return sized(64, 96, 2, 384, 32, 4); }
// The memorising recipe's model (docs/results.md): narrow conv (32), width 128, 3 layers; 0.75M parameters.
encoder::Wav2Vec2Config mini() { return sized(32, 128, 3, 512, 64, 8); }
encoder::Wav2Vec2Config small() { return sized(128, 192, 4, 768, 64, 8); }

encoder::Wav2Vec2Config base() {
  auto c = with_extractor(512);  // every other field: the Wav2Vec2Config defaults = HuBERT base
  return c;
}

}  // namespace

std::vector<std::string> arch_preset_names() { return {"tiny", "mini", "small", "base"}; }

encoder::Wav2Vec2Config resolve_arch(const std::string& arch, const std::string& objective) {
  const auto preset = [&](encoder::Wav2Vec2Config c) {
    if (objective == "wav2vec2") c.model_type = "wav2vec2";
    if (objective == "tera") {
      // The same transformer on s3prl's log-mel input (80 bands, 10 ms hop), with BERT's layer-norm epsilon.
      c.model_type = "tera";
      c.mel = encoder::MelFrontEndConfig{};
      c.layer_norm_eps = 1e-12;
      c.feat_proj_layer_norm = false;
    }
    return c;
  };
  if (arch == "tiny") return preset(tiny());
  if (arch == "mini") return preset(mini());
  if (arch == "small") return preset(small());
  if (arch == "base") return preset(base());
  if (text::to_lower(std::filesystem::path(arch).extension().string()) == ".json" || std::filesystem::exists(arch)) {
    auto c = encoder::read_hf_config(arch);
    c.validate();
    return c;
  }
  throw invalid_argument("--arch", "tiny, mini, small, base or the path of a config.json", "'" + arch + "'");
}

}  // namespace speechleak::train
