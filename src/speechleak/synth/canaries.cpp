#include "speechleak/synth/canaries.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace speechleak::synth {
namespace {

std::vector<std::string> canary_speakers(const SynthConfig& config, SpeakerAllocator& speakers) {
  if (!config.canaries.speakers.empty()) return config.canaries.speakers;
  std::vector<std::string> ids;
  const int n = config.canaries.per_speaker ? config.canaries.count : config.canaries.new_speakers;
  for (size_t index : speakers.take(n)) ids.push_back(speaker_id_of(index));
  return ids;
}

// Which canaries (speakers, for speaker canaries) are inserted: a seeded permutation's first round(n * fraction).
std::vector<bool> inserted_flags(const SynthConfig& config, int n) {
  const auto order = seeded_permutation(static_cast<size_t>(n), derive_seed(config.seed, "canary-insert"));
  const auto k = static_cast<int>(std::lround(n * config.canaries.insert_fraction));
  std::vector<bool> flags(n, false);
  for (int i = 0; i < k; ++i) flags[order[i]] = true;
  return flags;
}

// A full name whose parts no split mentions and no earlier canary used; from the whole list when those run out.
NameMention fresh_name(const std::string& utt_id, uint64_t seed, std::set<std::string>& taken) {
  const NamePool full = NamePool::builtin();
  NamePool pool = full.without(taken);
  if (pool.first_names.empty()) pool.first_names = full.first_names;
  if (pool.surnames.empty()) pool.surnames = full.surnames;
  Rng rng(derive_seed(seed, "canary-name/" + utt_id));
  NameMention m;
  m.first = pick(pool.first_names, rng);
  m.surname = pick(pool.surnames, rng);
  m.num_words = 2;
  taken.insert(m.first);
  taken.insert(m.surname);
  return m;
}

// A name from the corpus's pool (the names its splits use): a first name, with a surname when the pool has them.
NameMention inventory_name(const NamePool& pool, const std::string& utt_id, uint64_t seed) {
  Rng rng(derive_seed(seed, "canary-name/" + utt_id));
  NameMention m;
  m.first = pick(pool.first_names, rng);
  if (!pool.surnames.empty()) m.surname = pick(pool.surnames, rng);
  m.num_words = m.surname.empty() ? 1 : 2;
  return m;
}

Sentence canary_sentence(const SynthConfig& config, const SentenceGenerator& gen, const std::string& utt_id,
                         std::set<std::string>& taken) {
  const CanaryConfig& c = config.canaries;
  std::optional<NameMention> name;
  if (!c.name.empty()) name = parse_name(c.name, "canary-name");
  else if (c.inventory_names) name = inventory_name(config.name_pool(), utt_id, config.seed);
  else if (c.kind == CanaryKind::Sentence) name = fresh_name(utt_id, config.seed, taken);
  Rng rng(derive_seed(config.seed, "sentence/" + utt_id));
  return c.kind == CanaryKind::Sentence ? gen.sentence_with_name(*name, rng) : gen.random_words(name, rng);
}

}  // namespace

void plan_canaries(const SynthConfig& config, SpeakerAllocator& speakers, CorpusPlan& plan) {
  if (config.canaries.count == 0) return;
  const auto ids = canary_speakers(config, speakers);
  std::vector<ChapterPlan> chapters;
  for (const auto& id : ids) {
    const Voice voice = catalogue_voice(catalogue_index(id, "canary-speakers"));
    plan.voices.emplace(id, voice);
    plan.speaker_split.emplace(id, kCanarySplit);
    chapters.push_back({kCanarySplit, id, chapter_id_of(id, 1), {}});
  }
  auto sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  plan.split_speakers[kCanarySplit] = sorted;

  const SentenceGenerator gen(config.sentences);
  const auto& c = config.canaries;
  const auto inserted = inserted_flags(config, c.count);  // per canary, or per speaker canary
  std::set<std::string> taken = plan.names_used;
  auto next_id = [](const ChapterPlan& ch) {
    char n[16];
    std::snprintf(n, sizeof n, "%04d", static_cast<int>(ch.utterances.size()));
    return ch.speaker_id + "-" + ch.chapter_id + "-" + n;
  };
  // Utterance canaries: canary i is spoken by speaker i mod speakers. Speaker canaries: speaker i speaks
  // utts_per_speaker of them, all inserted or all held out with the speaker.
  const int utterances = c.per_speaker ? c.count * c.utts_per_speaker : c.count;
  for (int i = 0; i < utterances; ++i) {
    const int owner = c.per_speaker ? i / c.utts_per_speaker : i;
    ChapterPlan& ch = chapters[c.per_speaker ? size_t(owner) : i % chapters.size()];
    UtterancePlan u;
    u.id = next_id(ch);
    u.original_id = u.id;
    u.speaker_id = ch.speaker_id;
    u.chapter_id = ch.chapter_id;
    u.split = kCanarySplit;
    u.inserted = inserted[owner];
    u.sentence = canary_sentence(config, gen, u.id, taken);
    draw_rendering(config, plan.voices.at(u.speaker_id), u);
    ch.utterances.push_back(std::move(u));
  }
  // Repeats come after every original, so that the originals (ids, sentences, voices) do not depend on repeats.
  for (auto& ch : chapters) {
    const size_t originals = ch.utterances.size();
    for (size_t i = 0; i < originals; ++i)
      for (int r = 1; ch.utterances[i].inserted && r < config.canaries.repeats; ++r) {
        UtterancePlan copy = ch.utterances[i];  // the same rendering (sentence, voice, seeds): identical audio
        copy.id = next_id(ch);
        ch.utterances.push_back(std::move(copy));
      }
  }
  for (auto& ch : chapters)
    if (!ch.utterances.empty()) plan.chapters.push_back(std::move(ch));
}

SynthConfig canaries_only(SynthConfig base) {
  base.pretrain_speakers = base.aux_speakers = base.heldout_speakers = base.finetune_speakers = 0;
  return base;
}

}  // namespace speechleak::synth
