#include "speechleak/synth/plan.h"

#include <algorithm>
#include <cstdio>

#include "speechleak/synth/canaries.h"
#include "speechleak/util/number_format.h"

namespace speechleak::synth {
namespace {

std::string utterance_id(const std::string& speaker, const std::string& chapter, int k) {
  char n[16];
  std::snprintf(n, sizeof n, "%04d", k);
  return speaker + "-" + chapter + "-" + n;
}

void record_names(const Sentence& s, std::set<std::string>& names) {
  for (const auto& m : s.names) {
    if (!m.first.empty()) names.insert(m.first);
    if (!m.surname.empty()) names.insert(m.surname);
  }
}

ChapterPlan plan_chapter(const SynthConfig& config, const std::string& split, const Voice& voice, int utts,
                         const SentenceGenerator& gen, const NamePool& pool) {
  ChapterPlan ch{split, voice.speaker_id, chapter_id_of(voice.speaker_id, 0), {}};
  for (int k = 0; k < utts; ++k) {
    UtterancePlan u;
    u.id = utterance_id(ch.speaker_id, ch.chapter_id, k);
    u.speaker_id = ch.speaker_id;
    u.chapter_id = ch.chapter_id;
    u.split = split;
    Rng rng(derive_seed(config.seed, "sentence/" + u.id));
    u.sentence = gen.sentence(pool, rng);
    draw_rendering(config, voice, u);
    ch.utterances.push_back(std::move(u));
  }
  return ch;
}

}  // namespace

SpeakerAllocator::SpeakerAllocator(uint64_t seed) {
  for (size_t i = 0; i < catalogue_size(); ++i) (catalogue_voice(i).sex == 'F' ? female_ : male_).push_back(i);
  Rng rng(derive_seed(seed, "speakers"));
  for (auto* v : {&female_, &male_}) seeded_shuffle(*v, rng);
}

std::vector<size_t> SpeakerAllocator::take(int n) {
  std::vector<size_t> out;
  for (int j = 0; j < n; ++j) {
    // Alternate F, M, F, ... so that every split is balanced; fall back to the other sex when one runs out.
    const bool want_f = j % 2 == 0;
    const bool f_left = next_f_ < female_.size(), m_left = next_m_ < male_.size();
    if (!f_left && !m_left) break;
    if ((want_f && f_left) || !m_left) out.push_back(female_[next_f_++]);
    else out.push_back(male_[next_m_++]);
  }
  return out;
}

size_t CorpusPlan::utterance_count() const {
  size_t n = 0;
  for (const auto& c : chapters) n += c.utterances.size();
  return n;
}

std::string chapter_id_of(const std::string& speaker_id, int role) {
  return std::to_string(100000 + catalogue_index(speaker_id) * 10 + role);
}

void draw_rendering(const SynthConfig& config, const Voice& voice, UtterancePlan& u) {
  Rng voice_rng(derive_seed(config.seed, "voice/" + u.id));
  u.voice = jittered(voice, config.jitter, voice_rng);
  Rng rng(derive_seed(config.seed, "render/" + u.id));
  // Every draw happens whatever the options, so that switching noise on does not move the silences.
  const double a = uniform01(rng), b = uniform01(rng), c = uniform01(rng);
  u.lead_silence_s = config.lead_silence_min_s + a * (config.lead_silence_max_s - config.lead_silence_min_s);
  u.trail_silence_s = config.trail_silence_min_s + b * (config.trail_silence_max_s - config.trail_silence_min_s);
  u.noisy = config.noise;
  u.noise_type = config.noise_type;
  u.snr_db = config.snr_min_db + c * (config.snr_max_db - config.snr_min_db);
  u.noise_seed = derive_seed(config.seed, "noise/" + u.id);
  u.espeak_seed = static_cast<uint32_t>(derive_seed(config.seed, "espeak/" + u.id));
}

std::string plan_fingerprint(const CorpusPlan& plan) {
  uint64_t h = fnv1a64("speechleak-synth-plan");
  auto add = [&h](const std::string& field) { h = fnv1a64(field + '\x1f', h); };
  char buf[512];
  for (const auto& ch : plan.chapters)
    for (const auto& u : ch.utterances) {
      add(u.id), add(u.split), add(u.sentence.spoken_text());
      for (const auto& m : u.sentence.names) add(m.text() + "@" + std::to_string(m.word_index));
      const auto& v = u.voice;
      std::snprintf(buf, sizeof buf, "%s/%d/%d/%d/%d/%d", v.espeak_name.c_str(), v.pitch, v.range, v.rate, v.volume,
                    v.word_gap);
      add(buf);
      add(std::to_string(u.espeak_seed) + "/" + text::general(u.lead_silence_s, 17) + "/" +
          text::general(u.trail_silence_s, 17) + "/" + std::to_string(u.noisy) + "/" + text::general(u.snr_db, 17) +
          "/" + std::to_string(static_cast<int>(u.noise_type)) + "/" + std::to_string(u.inserted));
      add(std::to_string(u.noise_seed));
    }
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

CorpusPlan plan_corpus(const SynthConfig& config) {
  config.validate();
  CorpusPlan plan;
  SpeakerAllocator speakers(config.seed);
  const SentenceGenerator gen(config.sentences);
  const NamePool full = config.name_pool();
  std::set<std::string> pretrain_names;
  for (const auto& split : config.splits()) {
    const bool avoid = split.name == "finetune" && config.finetune_avoids_pretrain_names;
    const NamePool pool = avoid ? full.without(pretrain_names) : full;
    auto& ids = plan.split_speakers[split.name];
    for (size_t index : speakers.take(split.speakers)) {
      const Voice voice = catalogue_voice(index);
      ChapterPlan ch = plan_chapter(config, split.name, voice, split.utts_per_speaker, gen, pool);
      for (const auto& u : ch.utterances) {
        record_names(u.sentence, plan.names_used);
        if (split.name == "pretrain") record_names(u.sentence, pretrain_names);
      }
      ids.push_back(voice.speaker_id);
      plan.voices[voice.speaker_id] = voice;
      plan.speaker_split[voice.speaker_id] = split.name;
      plan.chapters.push_back(std::move(ch));
    }
    std::sort(ids.begin(), ids.end());
  }
  plan_canaries(config, speakers, plan);
  return plan;
}

}  // namespace speechleak::synth
