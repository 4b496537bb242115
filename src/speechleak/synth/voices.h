#pragma once
// The catalogue of synthetic speakers: each speaker id names one fixed espeak-ng voice configuration.
//
// A configuration is an English accent (an espeak-ng language voice) x a voice variant (formants, pitch contour,
// roughness: espeak-ng-data/voices/!v) x a pitch band, plus pitch, pitch range, speaking rate, volume and word gap
// drawn inside that cell from a FIXED seed. The mapping id -> voice does not depend on the corpus seed, so that
// speaker 1234 sounds the same in every corpus (canaries spoken by a chosen speaker, a model trained on one corpus
// and probed with another). The corpus seed only decides which speakers a corpus uses.
//
// Ids are 4-digit numbers ("1000".."1791"), like LibriSpeech reader ids, so that readers treat them alike.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/util/random.h"

namespace speechleak::synth {

struct Accent {
  std::string voice;     // espeak-ng language voice, e.g. "en-us"
  std::string language;  // what espeak_GetCurrentVoice() reports for it (checked after selection)
  std::string label;     // human-readable, e.g. "American"
};

struct Variant {
  std::string file;  // file name under espeak-ng-data/voices/!v, e.g. "f3"
  char sex = 'M';    // 'M' or 'F', from the variant's "gender" line
};

const std::vector<Accent>& accents();
const std::vector<Variant>& variants();
inline constexpr int kPitchBands = 3;

// One speaker's voice. Parameters use espeak-ng's units (espeak_SetParameter).
struct Voice {
  std::string speaker_id;
  size_t accent = 0;   // index into accents()
  size_t variant = 0;  // index into variants()
  char sex = 'M';
  int pitch = 50;    // espeakPITCH, 0..100 (50 = the variant's normal pitch)
  int range = 50;    // espeakRANGE, 0..100 (0 = monotone)
  int rate = 170;    // espeakRATE, words per minute (80..450)
  int volume = 100;  // espeakVOLUME, 0..200
  int word_gap = 0;  // espeakWORDGAP, pause between words in 10 ms units

  // "en-us+f3": what espeak_SetVoiceByName takes.
  std::string espeak_name() const;
  // One line describing the voice (SPEAKERS.TXT name column, logs).
  std::string describe() const;
  bool operator==(const Voice&) const = default;
};

// Settings of one utterance: the speaker's voice after per-utterance jitter.
struct VoiceSettings {
  std::string espeak_name;
  int pitch = 50;
  int range = 50;
  int rate = 170;
  int volume = 100;
  int word_gap = 0;
  bool operator==(const VoiceSettings&) const = default;
};

// Number of speakers in the catalogue (accents x variants x pitch bands).
size_t catalogue_size();
// The voice of catalogue entry `index` (< catalogue_size()); throws InvalidArgument otherwise.
Voice catalogue_voice(size_t index);
std::string speaker_id_of(size_t index);
// Inverse of speaker_id_of; throws InvalidArgument naming `what` when `id` is not a catalogue speaker.
size_t catalogue_index(const std::string& id, const std::string& what = "speaker id");

// Per-utterance variation inside one speaker.
struct Jitter {
  int pitch = 3;        // pitch moves uniformly in [-pitch, +pitch] espeak units
  double rate = 0.05;   // rate is scaled by a factor uniform in [1 - rate, 1 + rate]
};

VoiceSettings settings_for(const Voice& voice);
VoiceSettings jittered(const Voice& voice, const Jitter& jitter, Rng& rng);

// Header and rows of voices.tsv.
std::string voices_tsv_header();
std::string voices_tsv_row(const Voice& voice, const std::string& split);

}  // namespace speechleak::synth
