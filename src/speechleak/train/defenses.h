#pragma once
// Pretraining-time defenses as data transforms (docs/pretraining.md):
//   --sanitize-names  drop utterances that mention a name (corpus level, before anything is decoded)
//   --silence-names   replace the aligned audio of every name mention by silence (per utterance, once)
//   --reverse-audio   time-reverse every waveform (per utterance, once; after silencing, whose times are forward)
//   --noise-augment   multi-style training: additive noise at an SNR drawn per (epoch, utterance) (data_pipeline)
//
// Names and their mentions (names.tsv or a plain list) come from corpus/names.h.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "speechleak/corpus/names.h"
#include "speechleak/train/training_config.h"

namespace speechleak::train {

using corpus::NameList;
using corpus::NameMention;

// Sets [start_s, end_s) of every mention to zero (audio::replace_span with SpanFill::Silence). Returns the seconds
// silenced.
double silence_mentions(std::span<float> samples, int sample_rate, const std::vector<NameMention>& mentions);

// Noise of the multi-style defense for one (epoch, utterance): whether it applies (noise_prob) and the SNR drawn,
// from the stream `seed`. Returns NaN when no noise is added.
double draw_noise_snr(const DefenseConfig& config, uint64_t seed);
// Adds the noise drawn by draw_noise_snr (no-op for NaN). Returns the SNR used.
double apply_noise_defense(std::span<float> samples, int sample_rate, const DefenseConfig& config, uint64_t seed);

}  // namespace speechleak::train
