#pragma once
// The plan of a synthetic corpus: which speakers go to which split, and every utterance's sentence, voice
// settings, silences and noise, decided before any audio is made. Everything random is drawn from streams
// derived from (seed, utterance id), so that one utterance's draws never shift another's and the plan is a pure
// function of the config.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "speechleak/synth/config.h"
#include "speechleak/synth/sentences.h"
#include "speechleak/synth/voices.h"

namespace speechleak::synth {

struct UtterancePlan {
  std::string id;  // <speaker>-<chapter>-<NNNN>
  std::string speaker_id;
  std::string chapter_id;
  std::string split;  // kSplitNames or kCanarySplit
  Sentence sentence;
  VoiceSettings voice;
  uint32_t espeak_seed = 1;
  double lead_silence_s = 0;
  double trail_silence_s = 0;
  bool noisy = false;
  double snr_db = 0;
  audio::NoiseType noise_type = audio::NoiseType::White;
  uint64_t noise_seed = 0;
  bool inserted = false;  // canaries: inserted into training data (true) or held out (false)
  // Canaries: the id of the first rendering (itself, or the canary this is a repeat of; CanaryConfig::repeats).
  std::string original_id;
};

// One speaker's utterances in one split: the unit synthesised in one espeak-ng worker and resumed as a whole.
struct ChapterPlan {
  std::string split;
  std::string speaker_id;
  std::string chapter_id;
  std::vector<UtterancePlan> utterances;

  // "<split>/<speaker>-<chapter>"
  std::string key() const { return split + "/" + speaker_id + "-" + chapter_id; }
};

struct CorpusPlan {
  std::vector<ChapterPlan> chapters;  // splits in kSplitNames order, then canaries
  std::map<std::string, std::vector<std::string>> split_speakers;  // split -> speaker ids, sorted
  std::map<std::string, Voice> voices;                             // every speaker used
  std::map<std::string, std::string> speaker_split;  // the split a speaker belongs to (canaries for canary-only)
  std::set<std::string> names_used;                  // first names and surnames the splits mention

  size_t utterance_count() const;
};

// Hands out catalogue speakers for a corpus: a seeded order of the catalogue, alternating female and male
// speakers so that each split is balanced, never the same speaker twice.
class SpeakerAllocator {
 public:
  explicit SpeakerAllocator(uint64_t seed);
  // Up to n more speakers (fewer when the catalogue runs out), as catalogue indices.
  std::vector<size_t> take(int n);

 private:
  std::vector<size_t> female_, male_;
  size_t next_f_ = 0, next_m_ = 0;
};

// The chapter id of a speaker's corpus chapter (role 0) or canary chapter (role 1): 6 digits.
std::string chapter_id_of(const std::string& speaker_id, int role);

// Throws InvalidArgument when the config is invalid.
CorpusPlan plan_corpus(const SynthConfig& config);

// 16 hex digits over everything the plan decides (texts, voices, seeds, silences, noise, canary flags): the same
// options give a different fingerprint when the grammar, the word lists or the catalogue change, so that a run is
// never resumed or skipped across such a change.
std::string plan_fingerprint(const CorpusPlan& plan);

// Per-utterance draws shared by split and canary utterances: voice jitter, silences, noise, espeak seed.
void draw_rendering(const SynthConfig& config, const Voice& voice, UtterancePlan& u);

}  // namespace speechleak::synth
