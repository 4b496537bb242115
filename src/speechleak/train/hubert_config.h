#pragma once
// The HuBERT masked-prediction objective's part of a pretraining config (hubert_objective.h): the MFCC front end
// and k-means of its frame targets, its span masking, and its prediction head. Torch-free.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

#include "speechleak/encoder/hf_config.h"
#include "speechleak/train/masking_config.h"

namespace speechleak::train {

// MFCC front end of the k-means targets (mfcc.h). Frames match the conv extractor: 25 ms window, 20 ms hop.
struct MfccConfig {
  int sample_rate = 16000;
  int n_fft = 400;       // = window (25 ms); no centring, so frame t covers samples [hop*t, hop*t + n_fft)
  int hop = 320;         // 20 ms = the model's frame step
  int n_mels = 40;
  int n_mfcc = 13;
  double f_min = 20.0;
  double f_max = 8000.0;
  bool deltas = true;    // append first and second deltas (13 -> 39 dims)
  int delta_window = 5;  // torchaudio compute_deltas default

  void validate() const;
  int dims() const { return deltas ? 3 * n_mfcc : n_mfcc; }
};

struct KMeansConfig {
  int clusters = 100;          // per group when scope is not "global"
  // "global" (HuBERT): one k-means over all frames. "speaker" / "utterance": a separate k-means per speaker /
  // utterance, with labels offset per group (groups x clusters classes), so that predicting a masked frame needs
  // knowing whose (which utterance's) frame it is: a deliberate memorisation amplifier (docs/pretraining.md).
  std::string scope = "global";
  int max_iterations = 50;
  double tolerance = 1e-4;     // stop when the relative inertia change falls below
  int64_t max_frames = 200000; // frames sampled (seeded) to fit on; all frames are labelled afterwards
  void validate() const;
};

struct HubertHeadConfig {
  std::string head = "cosine";   // "cosine": HuBERT's final_proj + cosine to label embeddings / temperature;
                                 // "linear": a linear classifier over the last hidden state
  int final_dim = 0;             // final projection width (0: max(16, hidden_size / 3))
  double temperature = 0.1;
  double unmasked_weight = 0.0;  // weight of the cross-entropy over unmasked frames (HuBERT: 0)
  double feature_grad_mult = 1.0;  // gradient scale into the conv extractor (HuBERT base: 0.1)
  void validate() const;
};

struct HubertConfig {
  MfccConfig mfcc;
  KMeansConfig kmeans;
  MaskingConfig masking;
  HubertHeadConfig head;

  // Also checks that the targets' hop is the model's frame step.
  void validate(const encoder::Wav2Vec2Config& model) const;
  int resolved_final_dim(const encoder::Wav2Vec2Config& model) const;
  nlohmann::json to_json() const;  // {mfcc, kmeans, masking, head}
  static HubertConfig from_json(const nlohmann::json& j);  // missing fields take the defaults
};

}  // namespace speechleak::train
