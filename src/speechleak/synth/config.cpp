#include "speechleak/synth/config.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::synth {
namespace {

std::string num(double v) { return text::general(v); }

void check_range(const std::string& name, double v, double lo, double hi) {
  if (!std::isfinite(v) || v < lo || v > hi)
    throw invalid_argument(name, "a value in [" + num(lo) + ", " + num(hi) + "]", num(v));
}

void check_int(const std::string& name, int v, int lo, int hi) {
  if (v < lo || v > hi)
    throw invalid_argument(name, "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                           std::to_string(v));
}

void check_interval(const std::string& lo_name, double lo, const std::string& hi_name, double hi) {
  if (lo > hi) throw invalid_argument(hi_name, ">= " + lo_name + " (" + num(lo) + ")", num(hi));
}

std::string noise_name(audio::NoiseType t) { return t == audio::NoiseType::White ? "white" : "speech-shaped"; }

void validate_canaries(const CanaryConfig& c, int split_speakers) {
  check_int("canaries", c.count, 0, 9999);
  if (c.count == 0) return;
  check_range("canary-insert-fraction", c.insert_fraction, 0.0, 1.0);
  if (!c.name.empty()) parse_name(c.name, "canary-name");
  check_int("canary-repeats", c.repeats, 1, 100);
  if (c.inventory_names && !c.name.empty())
    throw invalid_argument("canary-inventory-names", "no --canary-name (both choose the canaries' name)",
                           "--canary-name '" + c.name + "'");
  if (c.inventory_names && c.kind != CanaryKind::Sentence)
    throw invalid_argument("canary-inventory-names", "--canary-kind sentence", synth::to_string(c.kind));
  if (c.per_speaker) {
    check_int("canary-utts-per-speaker", c.utts_per_speaker, 1, 9999);
    if (!c.speakers.empty())
      throw invalid_argument("canary-speakers", "none with --canary-unit speaker (each canary is a new speaker)",
                             std::to_string(c.speakers.size()) + " ids");
    const int free = static_cast<int>(catalogue_size()) - split_speakers;
    if (c.count > free)
      throw invalid_argument("canaries", "at most " + std::to_string(free) + " speaker canaries (voices no split uses)",
                             std::to_string(c.count));
    return;
  }
  std::set<std::string> seen;
  for (const auto& id : c.speakers) {
    catalogue_index(id, "canary-speakers");
    if (!seen.insert(id).second) throw invalid_argument("canary-speakers", "distinct speaker ids", id + " twice");
  }
  if (c.speakers.empty()) {
    const int free = static_cast<int>(catalogue_size()) - split_speakers;
    check_int("canary-new-speakers", c.new_speakers, 1, std::max(1, free));
    if (free < 1) throw invalid_argument("canary-new-speakers", "a speaker no split uses", "none left");
  }
}

}  // namespace

std::string to_string(CanaryKind kind) { return kind == CanaryKind::Sentence ? "sentence" : "random-words"; }

CanaryKind parse_canary_kind(const std::string& s) {
  if (s == "sentence") return CanaryKind::Sentence;
  if (s == "random-words") return CanaryKind::RandomWords;
  throw invalid_argument("canary-kind", "sentence or random-words", "'" + s + "'");
}

std::vector<SplitSize> SynthConfig::splits() const {
  auto utts = [&](int override_) { return override_ > 0 ? override_ : utts_per_speaker; };
  std::vector<SplitSize> out = {{"pretrain", pretrain_speakers, utts(pretrain_utts)},
                                 {"aux", aux_speakers, utts(aux_utts)},
                                 {"heldout", heldout_speakers, utts(heldout_utts)},
                                 {"finetune", finetune_speakers, utts(finetune_utts)}};
  // Only when asked for: a corpus without it keeps its files and its identity (to_json lists splits()).
  if (extra_speakers != 0) out.push_back({"extra", extra_speakers, utts(extra_utts)});
  return out;
}

void SynthConfig::validate() const {
  const int max_speakers = static_cast<int>(catalogue_size());
  int total = 0;
  for (const auto& s : splits()) {
    check_int(s.name + "-speakers", s.speakers, 0, max_speakers);
    total += s.speakers;
  }
  if (total > max_speakers)
    throw invalid_argument("pretrain/aux/heldout/finetune/extra-speakers", "at most " + std::to_string(max_speakers) +
                           " speakers in all (the voice catalogue)", std::to_string(total));
  check_int("utts-per-speaker", utts_per_speaker, 1, 9999);
  const std::pair<const char*, int> overrides[] = {
      {"pretrain-utts", pretrain_utts}, {"aux-utts", aux_utts}, {"heldout-utts", heldout_utts},
      {"finetune-utts", finetune_utts}, {"extra-utts", extra_utts}};
  for (auto [name, v] : overrides) check_int(name, v, 0, 9999);
  if (total == 0 && canaries.count == 0)
    throw invalid_argument("pretrain/aux/heldout/finetune-speakers or canaries", "at least one utterance to make",
                           "0 speakers and 0 canaries");
  check_int("min-words", sentences.min_words, 3, 60);
  check_int("max-words", sentences.max_words, 3, 60);
  if (sentences.max_words < sentences.min_words)
    throw invalid_argument("max-words", ">= min-words (" + std::to_string(sentences.min_words) + ")",
                           std::to_string(sentences.max_words));
  check_range("name-fraction", sentences.name_fraction, 0.0, 1.0);
  check_int("max-names", sentences.max_names, 1, 4);
  check_int("jitter-pitch", jitter.pitch, 0, 30);
  check_range("jitter-rate", jitter.rate, 0.0, 0.5);
  check_range("noise-snr (min)", snr_min_db, -10.0, 80.0);
  check_range("noise-snr (max)", snr_max_db, -10.0, 80.0);
  check_interval("the minimum SNR", snr_min_db, "noise-snr (max)", snr_max_db);
  check_range("lead-silence (min)", lead_silence_min_s, 0.0, 5.0);
  check_range("lead-silence (max)", lead_silence_max_s, 0.0, 5.0);
  check_interval("the minimum lead silence", lead_silence_min_s, "lead-silence (max)", lead_silence_max_s);
  check_range("trail-silence (min)", trail_silence_min_s, 0.0, 5.0);
  check_range("trail-silence (max)", trail_silence_max_s, 0.0, 5.0);
  check_interval("the minimum trail silence", trail_silence_min_s, "trail-silence (max)", trail_silence_max_s);
  const int first_names = static_cast<int>(NamePool::builtin().first_names.size());
  check_int("name-inventory", name_inventory, 0, first_names);
  validate_canaries(canaries, total);
}

NamePool SynthConfig::name_pool() const {
  NamePool full = NamePool::builtin();
  if (name_inventory == 0) return full;
  auto order = seeded_permutation(full.first_names.size(), derive_seed(seed, "name-inventory"));
  NamePool pool;
  for (int i = 0; i < name_inventory; ++i) pool.first_names.push_back(full.first_names[order[i]]);
  std::sort(pool.first_names.begin(), pool.first_names.end());
  return pool;
}

nlohmann::json SynthConfig::to_json() const {
  nlohmann::json splits_json = nlohmann::json::object();
  for (const auto& s : splits()) splits_json[s.name] = {{"speakers", s.speakers}, {"utts_per_speaker", s.utts_per_speaker}};
  nlohmann::json j = {
      {"seed", seed},
      {"splits", splits_json},
      {"min_words", sentences.min_words},
      {"max_words", sentences.max_words},
      {"name_fraction", sentences.name_fraction},
      {"max_names", sentences.max_names},
      {"finetune_avoids_pretrain_names", finetune_avoids_pretrain_names},
      {"jitter_pitch", jitter.pitch},
      {"jitter_rate", jitter.rate},
      {"noise", noise},
      {"snr_min_db", snr_min_db},
      {"snr_max_db", snr_max_db},
      {"noise_type", noise_name(noise_type)},
      {"lead_silence_s", {lead_silence_min_s, lead_silence_max_s}},
      {"trail_silence_s", {trail_silence_min_s, trail_silence_max_s}},
      {"canaries",
       {{"count", canaries.count},
        {"kind", synth::to_string(canaries.kind)},
        {"name", canaries.name},
        {"speakers", canaries.speakers},
        {"new_speakers", canaries.new_speakers},
        {"insert_fraction", canaries.insert_fraction}}},
  };
  // Options added later appear only when set, so that corpora made before them keep their identity.
  if (name_inventory > 0) j["name_inventory"] = name_inventory;
  if (canaries.inventory_names) j["canaries"]["inventory_names"] = true;
  if (canaries.repeats != 1) j["canaries"]["repeats"] = canaries.repeats;
  if (canaries.per_speaker) j["canaries"]["unit"] = "speaker", j["canaries"]["utts_per_speaker"] = canaries.utts_per_speaker;
  return j;
}

std::string SynthConfig::to_string() const { return to_json().dump(); }

}  // namespace speechleak::synth
