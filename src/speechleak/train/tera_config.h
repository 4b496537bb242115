#pragma once
// The TERA objective's part of a pretraining config (tera_objective.h): which alterations of the input log-mel
// frames the model learns to undo. Defaults are s3prl's logMelBase-T-F-M recipe (Liu et al. 2021, "TERA"):
// time alteration of ~15% of the frames in spans of 7, a frequency band of up to 20% of the mel bands, Gaussian
// magnitude noise (std 0.2) 15% of the time, L1 reconstruction. Torch-free.
#include <nlohmann/json_fwd.hpp>

#include <string>

#include "speechleak/encoder/hf_config.h"
#include "speechleak/train/masking_config.h"

namespace speechleak::train {

struct TeraConfig {
  // T: spans of 7 frames, each valid frame starting one with probability 0.15 / 7 (s3prl draws round(0.15 n / 7)
  // distinct starts; masking.h rounds stochastically and shortens spans in very short utterances).
  MaskingConfig time{0.15 / 7.0, 7, 1};
  // What a time-altered span holds, per utterance: zeros with probability zero_fraction, frames copied from a
  // random other place of the same utterance with replace_fraction, else the original frames (still predicted).
  double zero_fraction = 0.8;
  double replace_fraction = 0.1;
  // F: one band of mel channels, of a width drawn uniformly from 0 to floor(frequency_max * n_mels), zeroed in
  // every frame of the utterance (0 = off).
  double frequency_max = 0.2;
  // M: with this probability per utterance (s3prl: per batch), N(0, noise_std) added to every input value.
  double noise_probability = 0.15;
  double noise_std = 0.2;
  std::string loss = "l1";  // "l1" | "mse", over the altered frames and bands only

  // Throws InvalidArgument naming the option; `model` must be a TERA model (model_type "tera").
  void validate(const encoder::Wav2Vec2Config& model) const;
  nlohmann::json to_json() const;                        // {time, zero_fraction, ...}
  static TeraConfig from_json(const nlohmann::json& j);  // missing fields take the defaults
};

}  // namespace speechleak::train
