#pragma once
// Options of the synthetic corpus generator (docs/synth.md documents each with its CLI flag: a field
// `min_words` is the flag `--min-words`, and validation errors name it that way).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/audio/transforms.h"
#include "speechleak/synth/sentences.h"
#include "speechleak/synth/voices.h"

namespace speechleak::synth {

// Split names, in generation order. Speakers of different splits never overlap. "extra" exists only when asked
// for (SynthConfig::extra_speakers), generated last, so that the other splits stay as they are.
inline const std::vector<std::string> kSplitNames = {"pretrain", "aux", "heldout", "finetune", "extra"};
inline const std::string kCanarySplit = "canaries";

enum class CanaryKind {
  Sentence,    // a grammar sentence that mentions the canary's name once
  RandomWords  // vocabulary words in random order (the name, when one is set, at a random position)
};
std::string to_string(CanaryKind kind);
CanaryKind parse_canary_kind(const std::string& s);  // "sentence" | "random-words"; throws InvalidArgument

struct CanaryConfig {
  int count = 0;  // 0: no canaries
  CanaryKind kind = CanaryKind::Sentence;
  // The name every canary mentions ("ALICE MORGAN" or "ALICE"). Empty: each Sentence canary gets its own full
  // name that no split uses; RandomWords canaries get none.
  std::string name;
  std::vector<std::string> speakers;  // catalogue speaker ids; empty: `new_speakers` speakers no split uses
  int new_speakers = 2;
  double insert_fraction = 0.5;  // share marked "inserted" (seeded draw); the rest are "heldout"
  // Sentence canaries mention a name drawn from the corpus's name pool (the one the splits use, see
  // name_inventory) instead of a fresh one: the noise-masking design, where fine-tuning data teaches the same names.
  bool inventory_names = false;
  // Each inserted canary is rendered this many times (identical audio, ids of their own): duplicated recordings in
  // the training data, the repetition knob of memorisation studies.
  int repeats = 1;
  // Speaker canaries (the speaker-level one-run audit): `count` new speakers, each speaking `utts_per_speaker`
  // canaries, inserted or held out as a whole (the draw is per speaker). --canary-speakers / --canary-new-speakers
  // do not apply.
  bool per_speaker = false;
  int utts_per_speaker = 4;
};

struct SplitSize {
  std::string name;
  int speakers = 0;
  int utts_per_speaker = 0;
};

struct SynthConfig {
  uint64_t seed = 1;
  int pretrain_speakers = 8;
  int aux_speakers = 4;
  int heldout_speakers = 8;
  int finetune_speakers = 4;
  // More pretraining data from people no audit scores (the data-size ablation adds them to the pretrain split's).
  int extra_speakers = 0;
  int utts_per_speaker = 10;
  // Per-split overrides of utts_per_speaker; 0 = use utts_per_speaker.
  int pretrain_utts = 0, aux_utts = 0, heldout_utts = 0, finetune_utts = 0, extra_utts = 0;

  SentenceOptions sentences;                  // min_words, max_words, name_fraction, max_names
  bool finetune_avoids_pretrain_names = true;
  // > 0: every split (and inventory-name canaries) draws names from this many first names only, a seeded choice
  // from the built-in list (no surnames, so every name is one word). 0: the whole built-in pool.
  int name_inventory = 0;
  Jitter jitter;                              // jitter_pitch, jitter_rate

  bool noise = false;
  double snr_min_db = 15, snr_max_db = 30;    // drawn uniformly per utterance when noise is on
  audio::NoiseType noise_type = audio::NoiseType::White;
  double lead_silence_min_s = 0.05, lead_silence_max_s = 0.30;
  double trail_silence_min_s = 0.05, trail_silence_max_s = 0.30;

  CanaryConfig canaries;

  std::vector<SplitSize> splits() const;
  // The names splits draw from: the built-in pool, or the name_inventory choice.
  NamePool name_pool() const;  // kSplitNames order, with the resolved utterance counts
  // Throws InvalidArgument naming the option, what was expected and what was given.
  void validate() const;
  // Every option (the identity of a corpus: equal JSON, equal output).
  nlohmann::json to_json() const;
  std::string to_string() const;  // to_json().dump()
};

}  // namespace speechleak::synth
