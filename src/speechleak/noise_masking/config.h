#pragma once
// Options of the noise-masking attack (docs/noise-masking.md documents each with its CLI flag).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/asr/decode_options.h"
#include "speechleak/corpus/utterance_audio.h"

namespace speechleak::noise_masking {

// The audio fills of the papers, and the upper bound of docs/noise-masking.md: the slot's frames replaced by the
// encoder's learned mask embedding (the fill-in task of pretraining itself; the audio is left as it is).
enum class Fill { Silence, White, SpeechShaped, MaskEmbedding };
std::string to_string(Fill fill);
// "silence" | "white" | "speech-shaped" | "mask-embedding"; throws InvalidArgument
Fill parse_fill(const std::string& name);

struct NoiseMaskConfig {
  Fill fill = Fill::White;
  double level = 1.0;   // noise RMS relative to the RMS of the utterance's speech (aligned words outside the slot)
  double pad_s = 0.05;  // seconds masked before and after the name's aligned span (alignment slack, coarticulation)
  int draws = 1;  // noise draws per utterance (white, speech-shaped); the guess is the most frequent (ties: the
                  // most confident)
  uint64_t seed = 1;    // noise of draw d of utterance u: derive_seed(seed, "fill/<u>/<d>")
  bool unmasked = true;  // also recognise the unmasked audio (is the name recognisable at all? WER/CER on the set)

  asr::DecodeOptions decode;  // greedy by default; never a language model
  asr::BatchLimits batch;
  int decode_threads = 2;
  int window = 64;
  corpus::AudioPolicy audio_policy;

  // Abstention filters swept for the precision-recall curves: keep a trial when its context WER <= tau, or when
  // its slot confidence >= theta.
  std::vector<double> taus = {0.0, 0.1, 0.2, 0.3, 0.5, 1.0};
  std::vector<double> thetas = {0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95};

  void validate() const;  // throws InvalidArgument naming the option
  nlohmann::json to_json() const;
};

}  // namespace speechleak::noise_masking
