#include "speechleak/synth/voices.h"

#include <algorithm>
#include <cmath>

#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::synth {
namespace {

// Fixed so that a speaker id means the same voice in every corpus (see voices.h).
constexpr uint64_t kCatalogueSeed = 0x5eec41eafULL;
constexpr size_t kFirstId = 1000;

// Pitch bands do not overlap, so voices of the same accent and variant always differ in pitch.
struct Band {
  int lo, hi;
};
constexpr Band kPitchBand[kPitchBands] = {{22, 38}, {42, 58}, {62, 78}};

int uniform_int(Rng& rng, int lo, int hi) { return lo + static_cast<int>(uniform_index(rng, hi - lo + 1)); }

}  // namespace

const std::vector<Accent>& accents() {
  // The English accents espeak-ng 1.51 ships (gmw/en*). "en" is British English: "en-gb" is not a voice name
  // SetVoiceByName accepts in 1.51.
  static const std::vector<Accent> list = {
      {"en-us", "en-us", "American"},
      {"en", "en-gb", "British"},
      {"en-gb-scotland", "en-gb-scotland", "Scottish"},
      {"en-gb-x-rp", "en-gb-x-rp", "Received Pronunciation"},
      {"en-gb-x-gbclan", "en-gb-x-gbclan", "Lancastrian"},
      {"en-gb-x-gbcwmd", "en-gb-x-gbcwmd", "West Midlands"},
      {"en-029", "en-029", "Caribbean"},
      {"en-us-nyc", "en-us-nyc", "New York City"},
  };
  return list;
}

const std::vector<Variant>& variants() {
  // Human-sounding variants only: no whisper, croak, robots or echo (Alicia, Marco), whose energy between words
  // would blur the word boundaries the alignments promise. Sex from each file's "gender" line; the klatt
  // variants have none and keep the default (male) pitch, so they count as male.
  static const std::vector<Variant> list = {
      {"m1", 'M'},     {"m2", 'M'},     {"m3", 'M'},     {"m4", 'M'},        {"m5", 'M'},     {"m6", 'M'},
      {"m7", 'M'},     {"m8", 'M'},     {"Andy", 'M'},   {"Denis", 'M'},     {"travis", 'M'}, {"victor", 'M'},
      {"Henrique", 'M'}, {"Hugo", 'M'}, {"michel", 'M'}, {"Storm", 'M'},     {"klatt", 'M'},  {"klatt2", 'M'},
      {"klatt3", 'M'}, {"klatt4", 'M'}, {"f1", 'F'},     {"f2", 'F'},        {"f3", 'F'},     {"f4", 'F'},
      {"f5", 'F'},     {"Annie", 'F'},  {"anika", 'F'},  {"aunty", 'F'},     {"belinda", 'F'}, {"linda", 'F'},
      {"steph", 'F'},  {"Andrea", 'F'}, {"grandma", 'F'},
  };
  return list;
}

std::string Voice::espeak_name() const { return accents().at(accent).voice + "+" + variants().at(variant).file; }

std::string Voice::describe() const {
  return "synthetic " + accents().at(accent).label + " " + espeak_name() + " pitch " + std::to_string(pitch) +
         " range " + std::to_string(range) + " rate " + std::to_string(rate);
}

size_t catalogue_size() { return accents().size() * variants().size() * kPitchBands; }

std::string speaker_id_of(size_t index) {
  if (index >= catalogue_size())
    throw invalid_argument("speaker index", "< " + std::to_string(catalogue_size()), std::to_string(index));
  return std::to_string(kFirstId + index);
}

size_t catalogue_index(const std::string& id, const std::string& what) {
  const std::string expected = "a synthetic speaker id in " + std::to_string(kFirstId) + ".." +
                               std::to_string(kFirstId + catalogue_size() - 1);
  long long n = -1;
  try {
    n = text::parse_int(id, what);
  } catch (const InvalidArgument&) {
    throw invalid_argument(what, expected, "'" + id + "'");
  }
  if (n < static_cast<long long>(kFirstId) || n >= static_cast<long long>(kFirstId + catalogue_size()) ||
      std::to_string(n) != id)
    throw invalid_argument(what, expected, "'" + id + "'");
  return static_cast<size_t>(n) - kFirstId;
}

Voice catalogue_voice(size_t index) {
  Voice v;
  v.speaker_id = speaker_id_of(index);
  const size_t cells = accents().size() * variants().size();
  const size_t cell = index % cells;
  v.accent = cell % accents().size();
  v.variant = cell / accents().size();
  v.sex = variants()[v.variant].sex;
  Rng rng(derive_seed(kCatalogueSeed, "voice/" + v.speaker_id));
  const Band band = kPitchBand[index / cells];
  v.pitch = uniform_int(rng, band.lo, band.hi);
  v.range = uniform_int(rng, 30, 80);
  v.rate = uniform_int(rng, 140, 195);
  v.volume = uniform_int(rng, 80, 110);
  v.word_gap = uniform_int(rng, 0, 3);
  return v;
}

VoiceSettings settings_for(const Voice& voice) {
  return {voice.espeak_name(), voice.pitch, voice.range, voice.rate, voice.volume, voice.word_gap};
}

VoiceSettings jittered(const Voice& voice, const Jitter& jitter, Rng& rng) {
  VoiceSettings s = settings_for(voice);
  // Both draws happen even when a jitter is 0, so that changing one jitter does not shift the other's stream.
  const double u_pitch = uniform01(rng);
  const double u_rate = uniform01(rng);
  s.pitch = std::clamp(voice.pitch + static_cast<int>(std::lround((2 * u_pitch - 1) * jitter.pitch)), 0, 100);
  const double factor = 1.0 + (2 * u_rate - 1) * jitter.rate;
  s.rate = std::clamp(static_cast<int>(std::lround(voice.rate * factor)), 80, 450);
  return s;
}

std::string voices_tsv_header() {
  return "speaker_id\tsex\tsplit\taccent\tvariant\tespeak_voice\tpitch\trange\trate\tvolume\tword_gap\n";
}

std::string voices_tsv_row(const Voice& v, const std::string& split) {
  return v.speaker_id + "\t" + std::string(1, v.sex) + "\t" + split + "\t" + accents().at(v.accent).voice + "\t" +
         variants().at(v.variant).file + "\t" + v.espeak_name() + "\t" + std::to_string(v.pitch) + "\t" +
         std::to_string(v.range) + "\t" + std::to_string(v.rate) + "\t" + std::to_string(v.volume) + "\t" +
         std::to_string(v.word_gap) + "\n";
}

}  // namespace speechleak::synth
