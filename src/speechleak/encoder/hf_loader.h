#pragma once
// Hugging Face model directories (config.json + model.safetensors) <-> Wav2Vec2Model.
//
// Accepted key naming in model.safetensors:
//  - HF, with or without a "wav2vec2." / "hubert." prefix (models saved from the CTC or pretraining classes);
//  - torchaudio (encoder.feature_projection.*, encoder.transformer.*);
//  - TERA: ours (feature_projection.projection.*, encoder.layer_norm.*, encoder.layers.N.*, as HF's) or s3prl's
//    TransformerModel names (input_representations.*, encoder.layer.N.attention.self.query.*, ...), with or without
//    the "Transformer." prefix scripts/convert_s3prl_tera.py keeps; SpecHead.* (the reconstruction head) is ignored;
//  - positional conv as weight_g/weight_v, as parametrizations.weight.original0/original1, or fused `weight`.
// masked_spec_embed is loaded when present (zeros otherwise). Heads and pretraining tensors are ignored and listed
// (LoadReport::ignored_keys): quantizer.*, project_q.*, project_hid.*, final_proj.*, label_embs_concat, lm_head.*, aux.* (torchaudio's CTC head),
// projector.*, classifier.*, layer_weights, adapter.* (HF applies the adapter after hidden_states), SpecHead.* and
// spec_head.* (TERA's reconstruction head).
// Any other unknown tensor, a missing one or a shape mismatch is a FormatError naming them.
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "speechleak/encoder/safetensors.h"
#include "speechleak/encoder/wav2vec2_model.h"

namespace speechleak::encoder {

struct LoadReport {
  std::vector<std::string> ignored_keys;  // as written in the file
  std::string key_style;                  // "hf" | "torchaudio" | "s3prl"
  std::string prefix;                     // "", "wav2vec2.", "hubert.", "wavlm.", "tera." or "Transformer."
  std::string pos_conv_form;              // "weight_g/weight_v" | "parametrizations" | "fused"
  std::string source_dtype;               // dtype of the stored weights (e.g. "F32", "F16"; "mixed")
};

// Copies the tensors of `file` into `model` (converted to float32). Throws FormatError naming the file and the
// offending keys (missing, unexpected) or the key with its expected and actual shape.
LoadReport load_hf_weights(Wav2Vec2Model& model, const SafetensorsFile& file);

struct LoadedHfModel {
  Wav2Vec2Model model{nullptr};
  bool do_normalize = false;  // preprocessor_config.json
  LoadReport report;
};

// Reads config.json, preprocessor_config.json (optional) and model.safetensors of `dir`. A directory with only
// pytorch_model.bin is refused with the conversion command (speechleak never unpickles).
LoadedHfModel load_hf_directory(const std::filesystem::path& dir);

// Writes config.json, preprocessor_config.json and model.safetensors (HF key names, no prefix, weight_g/weight_v)
// that load_hf_directory reads back.
void save_hf_directory(Wav2Vec2Model& model, const std::filesystem::path& dir, bool do_normalize = false);
// The same, with `extra_config` fields (a JSON object) added to config.json beside the encoder's, e.g. the
// quantiser settings of a wav2vec 2.0 pretraining run.
void save_hf_directory(Wav2Vec2Model& model, const std::filesystem::path& dir, bool do_normalize,
                       const nlohmann::json& extra_config);

// model.safetensors of `dir`, or the shards its model.safetensors.index.json lists; a directory with only
// pytorch_model.bin is refused with the conversion command.
std::vector<SafetensorsFile> open_hf_weights(const std::filesystem::path& dir);

// preprocessor_config.json as HF's Wav2Vec2FeatureExtractor writes it (16 kHz, do_normalize).
void write_preprocessor_config(const std::filesystem::path& dir, bool do_normalize);

// The message for a directory holding only pytorch_model.bin.
std::string pytorch_bin_refusal(const std::filesystem::path& dir);

}  // namespace speechleak::encoder
