#include "speechleak/audit/calibrated_attacks.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "speechleak/audit/audit.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::audit {
namespace {

constexpr const char* kPretextField = "pretext/masked_logp";

// One model's signal per item id: the LiRA form (Gaussian-ish) and the RMIA form (probability-like).
struct ModelSignals {
  std::map<std::string, double> lira, rmia;
};

double fisher_z(double similarity) { return std::atanh(std::clamp(similarity, -1 + 1e-9, 1 - 1e-9)); }

void add_basic(ModelSignals& m, const std::string& id, double raw, bool distance, Distance d, ScoreDirection rule) {
  const bool high = rule == ScoreDirection::High;
  if (!distance) {  // a speaker's mean cosine similarity in [-1, 1]
    m.lira[id] = oriented(fisher_z(raw), rule);
    m.rmia[id] = std::clamp(high ? (1 + raw) / 2 : (1 - raw) / 2, 1e-9, 1.0);
  } else if (d == Distance::Cosine) {  // mean pairwise cosine distance in [0, 2]: similarity 1 - d
    m.lira[id] = oriented(-fisher_z(1 - raw), rule);
    m.rmia[id] = std::clamp(high ? raw / 2 : 1 - raw / 2, 1e-9, 1.0);
  } else {  // euclidean distance in [0, inf)
    m.lira[id] = oriented(raw, rule);
    m.rmia[id] = std::clamp(high ? -std::expm1(-raw) : std::exp(-raw), 1e-9, 1.0);
  }
}

void add_pretext(ModelSignals& m, const std::string& id, double logp) {
  const double p = std::clamp(std::exp(logp), 1e-12, 1 - 1e-12);
  m.lira[id] = std::log(p) - std::log1p(-p);  // LiRA's logit scaling of a probability
  m.rmia[id] = p;
}

ModelSignals model_signals(const std::string& level, const std::string& signal,
                           const std::vector<const FeatureSet*>& sets, ScoreDirection rule, const AuditConfig& c) {
  ModelSignals m;
  if (signal == "basic") {
    const bool utterance = level == "utterance";
    const auto scored = utterance ? basic_utterance_scores(sets, c.distance)
                                  : basic_speaker_scores(sets, c.min_utts_per_speaker);
    for (const auto& i : scored.items) add_basic(m, i.id, i.raw, utterance, c.distance, rule);
    return m;
  }
  if (level == "utterance") {
    for (const auto* set : sets)
      for (const auto& u : set->utterances)
        if (auto it = u.signals.find(kPretextField); it != u.signals.end()) add_pretext(m, u.utt_id, it->second);
    return m;
  }
  for (const auto& g : group_by_speaker(sets)) {
    double sum = 0;
    size_t n = 0;
    for (const auto* u : g.utterances)
      if (auto it = u->signals.find(kPretextField); it != u->signals.end()) sum += it->second, ++n;
    if (n == g.utterances.size() && n >= size_t(c.min_utts_per_speaker)) add_pretext(m, g.speaker_id, sum / double(n));
  }
  return m;
}

bool trained_on(const ReferenceFeatures& r, const std::string& level, const std::string& id) {
  return level == "utterance" ? r.trained_utterances.count(id) > 0 : r.trained_speakers.count(id) > 0;
}

// Target and reference signals of `ids`, with the keep matrix; ids some model lacks, or without the runs the attack
// needs, go to `skipped`.
struct Calibration {
  std::vector<size_t> kept;  // indices into the ids given
  std::vector<double> target, target_p;
  attack::ReferenceSignals lira, rmia;
};

Calibration calibration(const std::string& level, const std::vector<std::string>& ids, const ModelSignals& target,
                        const std::vector<ModelSignals>& refs, const std::vector<ReferenceFeatures>& ref_features,
                        size_t least_in, size_t least_out, SkipReport* skipped, const std::string& attack) {
  Calibration cal;
  cal.lira.signals.assign(refs.size(), {});
  cal.lira.keep.assign(refs.size(), {});
  for (size_t k = 0; k < ids.size(); ++k) {
    const auto& id = ids[k];
    if (!target.lira.count(id)) {
      if (skipped) skipped->add(id, attack, "the target model has no signal for it");
      continue;
    }
    size_t in = 0, out = 0;
    std::string missing;
    for (size_t r = 0; r < refs.size(); ++r) {
      if (!refs[r].lira.count(id)) missing = ref_features[r].name;
      (trained_on(ref_features[r], level, id) ? in : out) += 1;
    }
    std::string reason;
    if (!missing.empty()) reason = "reference " + missing + " has no features for it";
    else if (in < least_in) reason = std::to_string(in) + " reference runs trained on it (" + attack + " needs " + std::to_string(least_in) + ")";
    else if (out < least_out) reason = std::to_string(out) + " reference runs did not train on it (" + attack + " needs " + std::to_string(least_out) + ")";
    if (!reason.empty()) {
      if (skipped) skipped->add(id, attack, reason);
      continue;
    }
    cal.kept.push_back(k);
    cal.target.push_back(target.lira.at(id));
    cal.target_p.push_back(target.rmia.at(id));
    for (size_t r = 0; r < refs.size(); ++r) {
      cal.lira.signals[r].push_back(refs[r].lira.at(id));
      cal.lira.keep[r].push_back(trained_on(ref_features[r], level, id));
    }
  }
  cal.rmia = cal.lira;
  for (size_t r = 0; r < refs.size(); ++r)
    for (size_t i = 0; i < cal.kept.size(); ++i) cal.rmia.signals[r][i] = refs[r].rmia.at(ids[cal.kept[i]]);
  return cal;
}

std::vector<std::string> ids_of(const ScoredSet& s) {
  std::vector<std::string> ids;
  for (const auto& i : s.items) ids.push_back(i.id);
  return ids;
}

size_t count_in(const attack::ReferenceSignals& r) {
  size_t n = 0;
  for (const auto& row : r.keep) n += size_t(std::count(row.begin(), row.end(), true));
  return n;
}

struct Models {
  ModelSignals target, target_aux;
  std::vector<ModelSignals> refs, refs_aux;
};

Models all_signals(const std::string& level, const std::string& signal, const TargetFeatures& target,
                   const std::vector<ReferenceFeatures>& refs, ScoreDirection rule, const AuditConfig& c) {
  Models m;
  m.target = model_signals(level, signal, target.eval, rule, c);
  m.target_aux = model_signals(level, signal, {target.aux}, rule, c);
  for (const auto& r : refs) {
    m.refs.push_back(model_signals(level, signal, {&r.members, &r.nonmembers}, rule, c));
    m.refs_aux.push_back(model_signals(level, signal, {&r.aux}, rule, c));
  }
  return m;
}

// LiRA at one level over `ids`; scores aligned with cal.kept.
std::vector<double> lira_scores(const Calibration& cal, bool online, const AuditConfig& c) {
  return online ? attack::lira_online(cal.target, cal.lira, c.calibrated.lira)
                : attack::lira_offline(cal.target, cal.lira, c.calibrated.lira);
}

CalibratedScores finish_scores(const ScoredSet& items, const Calibration& cal, const std::vector<double>& scores,
                               SkipReport skipped) {
  CalibratedScores out;
  out.scored.skipped = std::move(skipped);
  for (size_t i = 0; i < cal.kept.size(); ++i) {
    auto item = items.items[cal.kept[i]];
    item.raw = scores[i];
    out.scored.items.push_back(std::move(item));
  }
  return out;
}

std::string variance_name(const attack::LiraConfig& c) {
  return c.variance == attack::LiraVariance::Fixed ? "fixed variance" : "per-example variance";
}

// Speaker-level "lira-mean": the mean utterance-level LiRA score of each evaluated speaker's utterances.
CalibratedScores lira_mean(const ScoredSet& speakers, const TargetFeatures& target,
                           const std::vector<ReferenceFeatures>& refs, const std::string& signal, ScoreDirection rule,
                           const AuditConfig& c, bool online) {
  const auto m = all_signals("utterance", signal, target, refs, rule, c);
  std::vector<std::string> utt_ids;
  for (const auto* set : target.eval)
    for (const auto& u : set->utterances) utt_ids.push_back(u.utt_id);
  const size_t least = c.calibrated.lira.variance == attack::LiraVariance::Fixed ? 1 : 2;
  const auto cal = calibration("utterance", utt_ids, m.target, m.refs, refs, online ? least : 0, least, nullptr, "lira-mean");
  if (cal.kept.empty()) throw invalid_argument("references", "runs that can score the evaluated utterances", "none");
  const auto scores = lira_scores(cal, online, c);
  std::map<std::string, double> by_utt;
  for (size_t i = 0; i < cal.kept.size(); ++i) by_utt[utt_ids[cal.kept[i]]] = scores[i];
  CalibratedScores out;
  for (const auto& g : group_by_speaker(target.eval)) {
    double sum = 0;
    size_t n = 0;
    for (const auto* u : g.utterances)
      if (auto it = by_utt.find(u->utt_id); it != by_utt.end()) sum += it->second, ++n;
    auto item = std::find_if(speakers.items.begin(), speakers.items.end(), [&](const ScoredItem& s) { return s.id == g.speaker_id; });
    if (item == speakers.items.end()) continue;  // not a scored speaker (too few utterances)
    if (n == 0) {
      out.scored.skipped.add(g.speaker_id, "lira-mean", "none of its utterances could be calibrated");
      continue;
    }
    auto scored = *item;
    scored.raw = sum / double(n);
    out.scored.items.push_back(std::move(scored));
  }
  out.description = "mean over the speaker's utterances of utterance-level LiRA " + std::string(online ? "online" : "offline") +
                    " (" + variance_name(c.calibrated.lira) + ", " + std::to_string(refs.size()) + " reference runs)";
  out.details = {{"utterances_calibrated", cal.kept.size()}, {"online", online}};
  return out;
}

}  // namespace

void CalibratedConfig::validate() const {
  if (signal != "auto" && signal != "basic" && signal != "pretext")
    throw invalid_argument("--signal", "auto, basic or pretext", "'" + signal + "'");
  if (!(rmia.gamma > 0)) throw invalid_argument("--rmia-gamma", "> 0", text::shortest(rmia.gamma));
  if (!(rmia.offline_a >= 0 && rmia.offline_a <= 1))
    throw invalid_argument("--rmia-a", "in [0, 1]", text::shortest(rmia.offline_a));
  if (!(lira.min_std > 0)) throw invalid_argument("lira.min_std", "> 0", text::shortest(lira.min_std));
}

std::string CalibratedConfig::to_string() const {
  return "signal=" + signal + " lira_variance=" + (lira.variance == attack::LiraVariance::Fixed ? "fixed" : "per-example") +
         " rmia_gamma=" + text::shortest(rmia.gamma) + " rmia_a=" + (tune_rmia_a ? "tuned" : text::shortest(rmia.offline_a));
}

const std::vector<std::string>& calibrated_attack_names() {
  static const std::vector<std::string> names{"loss", "lira", "lira-offline", "lira-mean", "rmia", "rmia-offline"};
  return names;
}

bool is_calibrated_attack(const std::string& a) {
  const auto& n = calibrated_attack_names();
  return std::find(n.begin(), n.end(), a) != n.end();
}

bool needs_online_references(const std::string& a) { return a == "lira" || a == "rmia"; }

bool needs_references(const std::string& a) { return is_calibrated_attack(a) && a != "loss"; }

std::string resolve_signal(const std::string& signal, const TargetFeatures& target,
                           const std::vector<ReferenceFeatures>& refs) {
  if (signal != "auto") return signal;
  std::vector<const FeatureSet*> all(target.eval.begin(), target.eval.end());
  all.push_back(target.aux);
  for (const auto& r : refs) all.insert(all.end(), {&r.members, &r.nonmembers, &r.aux});
  for (const auto* set : all)
    if (set->signals.find("pretext:") == std::string::npos) return "basic";
  return "pretext";
}

CalibratedScores pretext_loss_scores(const std::string& level, const ScoredSet& items, const TargetFeatures& target,
                                     const AuditConfig& c) {
  const auto m = model_signals(level, "pretext", target.eval, ScoreDirection::High, c);
  CalibratedScores out;
  out.scored.skipped = items.skipped;
  for (const auto& item : items.items) {
    const auto it = m.rmia.find(item.id);
    if (it == m.rmia.end()) {
      out.scored.skipped.add(item.id, "loss", "no pretext signal in the store (a model without its pretraining head)");
      continue;
    }
    auto scored = item;
    scored.raw = std::log(it->second);
    out.scored.items.push_back(std::move(scored));
  }
  if (out.scored.items.empty())
    throw invalid_argument("--attack loss", "stores with the pretext signal (a model speechleak pretrained)", "none");
  out.description = "the target's own pretext log-probability (mean over masked frames" +
                    std::string(level == "speaker" ? ", then over the speaker's utterances" : "") +
                    "): no reference model";
  out.details = {{"signal", "pretext"}};
  return out;
}

namespace {

// Refuses references the attack cannot use, naming what is missing.
void check_references(const std::string& level, const std::string& attack, const std::vector<ReferenceFeatures>& refs,
                      bool any_in) {
  if (refs.empty()) throw invalid_argument("--references", "reference runs for the " + attack + " attack", "none");
  if (needs_online_references(attack) && !any_in)
    throw invalid_argument("--attack " + attack, "references that trained on the candidates (online; use " + attack +
                                                     "-offline with offline references)", "offline references");
  if (level == "speaker" && attack != "lira-mean")
    for (const auto& r : refs)
      if (!r.speaker_keep)
        throw invalid_argument("--attack " + attack + " at speaker level",
                               "references that kept whole speakers in or out (--unit speaker); lira-mean works "
                               "with utterance units", "reference " + r.name + " kept utterances");
  if (attack == "lira-mean" && level != "speaker")
    throw invalid_argument("--attack lira-mean", "the speaker level", level);
}

// RMIA's scores of `cal`, against the auxiliary items as the population; fills the description and details.
std::vector<double> rmia_scores(const std::string& level, const Calibration& cal, const Models& m,
                                const std::vector<ReferenceFeatures>& refs, bool online, const AuditConfig& c,
                                std::string& description, nlohmann::json& details) {
  std::vector<std::string> pop_ids;  // the auxiliary items, which no model was meant to train on
  for (const auto& [id, v] : m.target_aux.rmia) pop_ids.push_back(id);
  const auto pop = calibration(level, pop_ids, m.target_aux, m.refs_aux, refs, 0, 1, nullptr, "rmia");
  if (pop.kept.empty()) throw invalid_argument("RMIA population", "auxiliary " + level + "s every model scores", "none");
  auto rc = c.calibrated.rmia;
  rc.online = online;
  std::string a_source = "fixed";
  if (!online && c.calibrated.tune_rmia_a && refs.size() >= 2 && count_in(cal.rmia) > 0) {
    try {
      rc.offline_a = attack::tune_rmia_offline_a(cal.rmia, pop.rmia, {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0},
                                                 rc.gamma);
      a_source = "tuned on the references";
    } catch (const InvalidArgument&) {  // e.g. 2 runs: no run has IN and OUT items another run did not train on
      a_source = "fixed: too few reference runs to tune it";
    }
  }
  description = std::string("RMIA ") +
                (online ? "online" : "offline, a = " + text::shortest(rc.offline_a) + " (" + a_source + ")") + " over " +
                std::to_string(refs.size()) + " reference runs and " + std::to_string(pop.kept.size()) +
                " population " + level + "s (gamma " + text::shortest(rc.gamma);
  details["population"] = pop.kept.size();
  details["gamma"] = rc.gamma;
  if (!online) details["a"] = rc.offline_a, details["a_source"] = a_source;
  return attack::rmia(cal.target_p, cal.rmia, pop.target_p, pop.rmia, rc);
}

}  // namespace

CalibratedScores calibrated_scores(const std::string& level, const std::string& attack, const ScoredSet& items,
                                   const TargetFeatures& target, const std::vector<ReferenceFeatures>& refs,
                                   ScoreDirection rule, const AuditConfig& c) {
  if (attack == "loss") return pretext_loss_scores(level, items, target, c);
  bool any_in = false;
  for (const auto& r : refs) any_in = any_in || !r.trained_utterances.empty();
  check_references(level, attack, refs, any_in);
  const std::string signal = resolve_signal(c.calibrated.signal, target, refs);
  if (attack == "lira-mean") {
    auto out = lira_mean(items, target, refs, signal, rule, c, any_in);
    out.details["signal"] = signal;
    return out;
  }
  const bool online = needs_online_references(attack), lira = attack.rfind("lira", 0) == 0;
  const size_t least = lira && c.calibrated.lira.variance == attack::LiraVariance::PerExample ? 2 : 1;
  const auto m = all_signals(level, signal, target, refs, rule, c);
  SkipReport skipped = items.skipped;
  const auto ids = ids_of(items);
  const auto cal = calibration(level, ids, m.target, m.refs, refs, online ? least : 0, least, &skipped, attack);
  if (cal.kept.empty())
    throw invalid_argument("references for " + attack, "runs that can score the evaluated " + level + "s",
                           std::to_string(skipped.size()) + " of " + std::to_string(ids.size()) + " skipped");
  nlohmann::json details = {{"signal", signal}, {"reference_runs", refs.size()},
                            {"in_entries", count_in(cal.lira)}, {"items", cal.kept.size()}};
  std::string description;
  std::vector<double> scores;
  if (lira) {
    scores = lira_scores(cal, online, c);
    description = std::string("LiRA ") + (online ? "online" : "offline") + " over " + std::to_string(refs.size()) +
                  " reference runs (" + variance_name(c.calibrated.lira);
  } else {
    scores = rmia_scores(level, cal, m, refs, online, c, description, details);
  }
  description += "; signal: " + signal + ")";
  auto out = finish_scores(items, cal, scores, std::move(skipped));
  out.description = description;
  out.details = details;
  out.keep = cal.lira.keep;
  out.model_signals = {cal.target};
  out.model_signals.insert(out.model_signals.end(), cal.lira.signals.begin(), cal.lira.signals.end());
  return out;
}

}  // namespace speechleak::audit
