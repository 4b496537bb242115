#include "speechleak/noise_masking/trials.h"

#include <map>

#include "speechleak/corpus/words.h"
#include "speechleak/util/text.h"

namespace speechleak::noise_masking {

std::string Trial::blanked() const {
  std::vector<std::string> out;
  auto masked = [&](size_t i) {
    if (i >= slot_first && i < slot_first + slot_count) return true;
    for (const auto& [f, n] : other_slots)
      if (i >= f && i < f + n) return true;
    return false;
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const bool m = masked(i);
    if (!m) out.push_back(words[i]);
    else if (i == 0 || !masked(i - 1)) out.push_back("____");
  }
  return text::join(out, " ");
}

std::string TrialPlan::summary() const {
  return skipped.summary(attacked, "utterances with names", "attacked") + " (" + std::to_string(trial_count) +
         " trials; " + std::to_string(without_names) + " of " +
         std::to_string(utterances) + " utterances mention no listed name)";
}

TrialPlan plan_trials(const corpus::Corpus& corpus, const corpus::NameList& names) {
  TrialPlan plan;
  plan.utterances = corpus.utterances.size();
  for (const auto& u : corpus.utterances) {
    if (!corpus::mentions_name(names, u)) {
      ++plan.without_names;
      continue;
    }
    const std::string where = u.source.describe();
    if (!u.transcript) {
      plan.skipped.add(u.id, where, "no transcript: the attack needs the blanked transcript around the name");
      continue;
    }
    bool aligned = true;
    const auto mentions = corpus::locate_mentions(names, u, &aligned);
    const auto words = corpus::normalize_words(*u.transcript);
    const auto hits = corpus::find_names(names, words);
    if (mentions.empty()) {
      plan.skipped.add(u.id, where,
                       aligned ? "no aligned span: the transcript mentions a name the alignment does not time"
                               : "no alignment: the name's time span is unknown (give alignments= or names.tsv)");
      continue;
    }
    if (mentions.size() != hits.size()) {
      plan.skipped.add(u.id, where, "mentions disagree: " + std::to_string(mentions.size()) + " timed, " +
                                        std::to_string(hits.size()) + " in the transcript");
      continue;
    }
    // Group the mentions by name, in order of first appearance.
    std::map<std::string, Trial> by_name;
    std::vector<std::string> order;
    for (size_t k = 0; k < hits.size(); ++k) {
      const auto [first, count] = hits[k];
      std::vector<std::string> name_words(words.begin() + first, words.begin() + first + count);
      const std::string name = text::join(name_words, " ");
      auto [it, fresh] = by_name.try_emplace(name);
      Trial& t = it->second;
      if (fresh) {
        order.push_back(name);
        t.utterance = &u;
        t.name = name;
        t.words = words;
        t.slot_first = first;
        t.slot_count = count;
      } else {
        t.other_slots.emplace_back(first, count);
      }
      t.spans.push_back({mentions[k].start_s, mentions[k].end_s});
    }
    for (const auto& name : order) plan.trials.push_back(std::move(by_name.at(name)));
    ++plan.attacked;
  }
  plan.trial_count = plan.trials.size();
  return plan;
}

}  // namespace speechleak::noise_masking
