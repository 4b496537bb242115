#include "speechleak/audit/audit.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <set>

#include "speechleak/audit/difficulty_calibration.h"
#include "speechleak/audit/direction.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/log.h"

namespace speechleak::audit {
namespace {

struct Sets {
  FeatureSet members, nonmembers, aux, calibration;
  std::vector<const FeatureSet*> eval() const { return {&members, &nonmembers}; }
};

struct Direction {
  ScoreDirection rule = ScoreDirection::High;
  std::string source = "default (paper)";
  bool paper = true;  // the rule (or, for the improved attacks, the seen end) is the paper's: high
};

// Evaluation items are matched by utterance id (improved attacks look frames up by id): an id among both members
// and non-members would silently mix them. (The auxiliary set may overlap the evaluation: that is warned about.)
void check_distinct_ids(const Sets& s) {
  std::map<std::string, const FeatureSet*> seen;
  for (const auto* set : {&s.members, &s.nonmembers})
    for (const auto& u : set->utterances) {
      auto [it, fresh] = seen.emplace(u.utt_id, set);
      if (!fresh)
        throw invalid_argument("utterance id " + u.utt_id, "unique across the members and non-members stores",
                               "in both " + it->second->store.string() + " and " + set->store.string());
    }
}

Sets load_sets(const AuditInputs& in, const AuditConfig& c) {
  bool frames = std::find(c.attacks.begin(), c.attacks.end(), "improved") != c.attacks.end();
  Sets s{load_feature_set(in.members, "members", 1, c.layer, frames),
         load_feature_set(in.nonmembers, "nonmembers", 0, c.layer, frames),
         load_feature_set(in.aux, "aux", 0, c.layer, frames), {}};
  for (const auto* other : {&s.nonmembers, &s.aux}) {
    if (other->layer != s.members.layer)
      throw invalid_argument("layer of " + other->store.string(), std::to_string(s.members.layer),
                             std::to_string(other->layer));
    if (other->preprocessing != s.members.preprocessing)
      throw invalid_argument("preprocessing of " + other->store.string(),
                             "the members' ('" + s.members.preprocessing + "')", "'" + other->preprocessing + "'");
    if (other->width != s.members.width)
      throw invalid_argument("feature width of " + other->store.string(),
                             std::to_string(s.members.width) + " (the members')", std::to_string(other->width));
    if (other->model_fingerprint != s.members.model_fingerprint)
      throw invalid_argument("model of " + other->store.string(),
                             "the members' model (fingerprint " + s.members.model_fingerprint + ")",
                             "fingerprint " + other->model_fingerprint);
  }
  check_distinct_ids(s);
  for (auto* set : {&s.members, &s.nonmembers, &s.aux}) cap_utterances_per_speaker(*set, c.max_utts_per_speaker, c.seed);
  return s;
}

std::vector<std::string> overlap_warnings(const Sets& s) {
  std::vector<std::string> out;
  auto aux = s.aux.speaker_ids();
  std::set<std::string> aux_set(aux.begin(), aux.end());
  for (const auto* set : {&s.nonmembers, &s.members}) {
    size_t n = 0;
    for (const auto& spk : set->speaker_ids()) n += aux_set.count(spk);
    if (n > 0)
      out.push_back("the auxiliary set shares " + std::to_string(n) + " speakers with the evaluation " + set->role +
                    (set->role == "nonmembers" ? " (the seed authors' flaw: pseudo-labels were drawn from the "
                                                 "evaluation non-members; results are optimistic)"
                                               : " (auxiliary speakers are assumed to be non-members)"));
  }
  return out;
}

std::vector<double> raws(const ScoredSet& s) {
  std::vector<double> out;
  for (const auto& i : s.items) out.push_back(i.raw);
  return out;
}

std::vector<int> labels(const std::vector<ScoredItem>& items) {
  std::vector<int> out;
  for (const auto& i : items) out.push_back(i.member);
  return out;
}

ScoredSet basic_scores(const std::string& level, const std::vector<const FeatureSet*>& sets, const AuditConfig& c) {
  return level == "utterance" ? basic_utterance_scores(sets, c.distance)
                              : basic_speaker_scores(sets, c.min_utts_per_speaker);
}

Direction choose_direction(const std::string& level, const Sets& s, const AuditConfig& c) {
  if (!c.calibrate_direction)
    return {c.direction, c.direction == ScoreDirection::High ? "default (paper)" : "--direction low",
            c.direction == ScoreDirection::High};
  auto cal = basic_scores(level, {&s.calibration}, c);
  const auto y = labels(cal.items);
  if (std::count(y.begin(), y.end(), 1) == 0 || std::count(y.begin(), y.end(), 0) == 0)
    throw invalid_argument("calibration split (" + level + ")", "members and non-members with scores",
                           std::to_string(cal.items.size()) + " items of one class");
  double auc = 0;
  auto rule = calibrated_direction(raws(cal), y, &auc);
  return {rule, "calibrated on " + std::to_string(cal.items.size()) + " labelled " + level +
                    "s held out of the evaluation (calibration AUC " + text::fixed(auc, 3) + ")",
          rule == ScoreDirection::High};
}

AttackResult finish(std::string level, std::string attack, ScoredSet scored, const Direction& d, const AuditConfig& c) {
  AttackResult r{std::move(level), std::move(attack), d.rule, d.source, d.paper, std::move(scored.items), {}, {},
                 std::move(scored.skipped), nlohmann::json::object()};
  for (const auto& i : r.items) r.scores.push_back(oriented(i.raw, d.rule));
  r.metrics = metrics::summarize(r.scores, labels(r.items), c.metrics);
  return r;
}

// Difficulty calibration: the basic score, oriented as the basic attack orients it, minus what the auxiliary
// non-members' scores predict for an utterance with these audio descriptors, over the predicted spread.
AttackResult quantile_utterance(const Sets& s, const Direction& d, const AuditConfig& c, const DescriptorMap& desc) {
  const auto aux = basic_utterance_scores({&s.aux}, c.distance);
  ScoredSet eval = basic_utterance_scores(s.eval(), c.distance);  // the same utterances the basic attack scores
  std::vector<std::vector<double>> ax, ex;
  std::vector<double> as, es;
  for (const auto& i : aux.items)
    if (auto it = desc.find(i.id); it != desc.end()) ax.push_back(it->second), as.push_back(oriented(i.raw, d.rule));
  ScoredSet kept{{}, eval.skipped};
  for (const auto& i : eval.items) {
    const auto it = desc.find(i.id);
    if (it == desc.end()) {
      kept.skipped.add(i.id, "quantile", "no audio descriptors (its audio could not be read)");
      continue;
    }
    ex.push_back(it->second);
    es.push_back(oriented(i.raw, d.rule));
    kept.items.push_back(i);
  }
  const auto calibrated = difficulty_calibrated_scores(ax, as, ex, es);
  for (size_t k = 0; k < kept.items.size(); ++k) kept.items[k].raw = calibrated[k];
  const Direction q{ScoreDirection::High,
                    "residual of the basic score (" + to_string(d.rule) + " end = member: " + d.source +
                        ") over its prediction from audio descriptors of " + std::to_string(ax.size()) +
                        " auxiliary utterances",
                    d.paper};
  auto r = finish("utterance", "quantile", std::move(kept), q, c);
  r.details = {{"aux_utterances", ax.size()}, {"basic_direction", to_string(d.rule)},
               {"model", "ridge regression of the mean and of log|residual| on standardised audio descriptors"}};
  return r;
}

nlohmann::json training_log(const attack::TrainResult& t, const attack::PseudoLabels& p) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const auto& e : t.epochs)
    epochs.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"val_loss", e.val_loss},
                      {"val_accuracy", e.val_accuracy}, {"seconds", e.seconds}});
  return {{"best_epoch", t.best_epoch}, {"best_val_loss", t.best_val_loss}, {"stopped_early", t.stopped_early},
          {"epochs", epochs}, {"pseudo_labels", {{"train_seen", p.train_seen.size()},
                                                  {"train_unseen", p.train_unseen.size()},
                                                  {"val_seen", p.val_seen.size()}, {"val_unseen", p.val_unseen.size()}}}};
}

// The improved attacks label the calibrated end of the auxiliary basic-score ranking "seen"; their own output
// points high.
Direction improved_direction(const std::string& output, const Direction& d) {
  return {ScoreDirection::High,
          output + "; seen = the " + to_string(d.rule) + " end of the auxiliary basic-score ranking (" + d.source + ")",
          d.rule == ScoreDirection::High};
}

AttackResult improved_utterance(const Sets& s, const Direction& d, const AuditConfig& c, const ProgressCallback& pg) {
  // Frames by id, per role: aux ids may repeat evaluation ids (warned overlap), evaluation ids are unique.
  auto index = [](const std::vector<const FeatureSet*>& sets) {
    std::map<std::string, const UtteranceFeatures*> by_id;
    for (const auto* set : sets)
      for (const auto& u : set->utterances) by_id[u.utt_id] = &u;
    return by_id;
  };
  const auto aux_by_id = index({&s.aux}), eval_by_id = index(s.eval());
  auto aux = basic_utterance_scores({&s.aux}, c.distance);
  std::vector<at::Tensor> aux_frames;
  for (const auto& i : aux.items) aux_frames.push_back(aux_by_id.at(i.id)->frames);
  auto config = c.improved_utterance;
  config.seen_end = d.rule;
  attack::ImprovedUtteranceAttack attacker(config);
  auto log = attacker.fit(aux_frames, raws(aux), pg);
  ScoredSet eval = basic_utterance_scores(s.eval(), c.distance);  // the same utterances the basic attack scores
  std::vector<at::Tensor> frames;
  for (const auto& i : eval.items) frames.push_back(eval_by_id.at(i.id)->frames);
  auto logits = attacker.score(frames);
  for (size_t k = 0; k < eval.items.size(); ++k) eval.items[k].raw = logits[k];
  auto r = finish("utterance", "improved", std::move(eval), improved_direction("attacker logit of 'seen'", d), c);
  r.details = training_log(log, attacker.pseudo_labels());
  return r;
}

// The frames of the scored speakers, matched by speaker id (the scored items are those the basic attack scores).
std::vector<attack::SpeakerFrames> speaker_frames(const ScoredSet& scored, const std::vector<const FeatureSet*>& sets) {
  std::map<std::string, SpeakerGroup> groups;
  for (auto& g : group_by_speaker(sets)) groups.emplace(g.speaker_id, std::move(g));
  std::vector<attack::SpeakerFrames> out;
  for (const auto& item : scored.items) {
    attack::SpeakerFrames f;
    for (const auto* u : groups.at(item.id).utterances) f.push_back(u->frames);
    out.push_back(std::move(f));
  }
  return out;
}

AttackResult improved_speaker(const Sets& s, const Direction& d, const AuditConfig& c, const ProgressCallback& pg) {
  auto aux = basic_speaker_scores({&s.aux}, c.min_utts_per_speaker);
  auto config = c.improved_speaker;
  config.seen_end = d.rule;
  attack::ImprovedSpeakerAttack attacker(config);
  auto log = attacker.fit(speaker_frames(aux, {&s.aux}), raws(aux), pg);
  ScoredSet eval = basic_speaker_scores(s.eval(), c.min_utts_per_speaker);
  auto probs = attacker.score(speaker_frames(eval, s.eval()));
  for (size_t k = 0; k < eval.items.size(); ++k) eval.items[k].raw = probs[k];
  auto r = finish("speaker", "improved", std::move(eval), improved_direction("mean pair P(seen)", d), c);
  r.details = training_log(log, attacker.pseudo_labels());
  return r;
}

// The reference models' features of the same roles, capped as the target's are; another layer, width or
// preprocessing than the target's is refused, naming the reference.
std::vector<ReferenceFeatures> load_references(const AuditInputs& in, const Sets& s, const AuditConfig& c) {
  std::vector<ReferenceFeatures> out;
  for (const auto& ref : in.references) {
    ReferenceFeatures r{ref.name,
                        load_feature_set(ref.members, "members", 1, s.members.layer, false),
                        load_feature_set(ref.nonmembers, "nonmembers", 0, s.members.layer, false),
                        load_feature_set(ref.aux, "aux", 0, s.members.layer, false),
                        ref.trained_utterances, ref.trained_speakers, ref.speaker_keep};
    for (auto* set : {&r.members, &r.nonmembers, &r.aux}) {
      if (set->width != s.members.width)
        throw invalid_argument("reference " + ref.name + " (" + set->store.string() + ")",
                               "features of the target's width " + std::to_string(s.members.width) +
                                   " (a reference model of the target's architecture)",
                               "width " + std::to_string(set->width));
      if (set->preprocessing != s.members.preprocessing)
        throw invalid_argument("reference " + ref.name + " (" + set->store.string() + ")",
                               "the target's preprocessing ('" + s.members.preprocessing + "')",
                               "'" + set->preprocessing + "'");
      cap_utterances_per_speaker(*set, c.max_utts_per_speaker, c.seed);
    }
    out.push_back(std::move(r));
  }
  return out;
}

AttackResult calibrated(const std::string& level, const std::string& attack, const Sets& s,
                        const std::vector<ReferenceFeatures>& refs, const Direction& d, const AuditConfig& c) {
  auto scores = calibrated_scores(level, attack, basic_scores(level, s.eval(), c), {s.eval(), &s.aux}, refs, d.rule, c);
  auto r = finish(level, attack, std::move(scores.scored), {ScoreDirection::High, scores.description, d.paper}, c);
  r.details = std::move(scores.details);
  r.keep = std::move(scores.keep);
  r.model_signals = std::move(scores.model_signals);
  return r;
}

nlohmann::json counts(const Sets& s) {
  nlohmann::json j;
  for (const auto* set : {&s.members, &s.nonmembers, &s.aux, &s.calibration})
    j[set->role.empty() ? "calibration" : set->role] = {{"utterances", set->utterances.size()},
                                                        {"speakers", set->speaker_ids().size()}};
  return j;
}

}  // namespace

void AuditConfig::set_direction(const std::string& name) {
  if (name != "calibrate" && name != "high" && name != "low")
    throw invalid_argument("--direction", "high, low or calibrate", "'" + name + "'");
  calibrate_direction = name == "calibrate";
  if (!calibrate_direction) direction = parse_score_direction(name, "--direction");
}

std::string AuditConfig::direction_option() const { return calibrate_direction ? "calibrate" : to_string(direction); }

bool AuditConfig::wants(const std::string& level, const std::string& attack) const {
  return std::find(levels.begin(), levels.end(), level) != levels.end() &&
         std::find(attacks.begin(), attacks.end(), attack) != attacks.end();
}

void AuditConfig::validate() const {
  for (const auto& l : levels)
    if (l != "utterance" && l != "speaker") throw invalid_argument("level", "utterance or speaker", "'" + l + "'");
  for (const auto& a : attacks)
    if (a != "basic" && a != "improved" && a != "quantile" && !is_calibrated_attack(a))
      throw invalid_argument("attack", "basic, improved, quantile, lira, lira-offline, lira-mean, rmia or rmia-offline",
                             "'" + a + "'");
  if (levels.empty() || attacks.empty()) throw invalid_argument("levels/attacks", "at least one each", "none");
  if (min_utts_per_speaker < 2) throw invalid_argument("min_utts_per_speaker", ">= 2", std::to_string(min_utts_per_speaker));
  if (max_utts_per_speaker < 0) throw invalid_argument("max_utts_per_speaker", ">= 0", std::to_string(max_utts_per_speaker));
  improved_utterance.validate();
  improved_speaker.validate();
  metrics.validate();
  calibrated.validate();
}

nlohmann::json AuditConfig::to_json() const {
  return {{"levels", levels}, {"attacks", attacks}, {"layer", layer}, {"distance", to_string(distance)},
          {"direction", direction_option()}, {"calibration_speakers", calibration_speakers},
          {"max_utts_per_speaker", max_utts_per_speaker}, {"min_utts_per_speaker", min_utts_per_speaker},
          {"seed", seed}, {"blind_baseline", blind_baseline}, {"improved_utterance", improved_utterance.to_string()},
          {"improved_speaker", improved_speaker.to_string()}, {"metrics", metrics.to_string()},
          {"calibrated", calibrated.to_string()}};
}

AuditResult run_audit(const AuditInputs& inputs, const AuditConfig& config, const ProgressCallback& progress) {
  config.validate();
  Sets s = load_sets(inputs, config);
  AuditResult result;
  result.layer = s.members.layer;
  result.model_fingerprint = s.members.model_fingerprint;
  result.warnings = overlap_warnings(s);
  if (config.calibrate_direction)
    s.calibration = split_calibration(s.members, s.nonmembers, config.calibration_speakers, config.seed);
  std::vector<std::string> calibrated_attacks;
  for (const auto& a : config.attacks)
    if (is_calibrated_attack(a)) calibrated_attacks.push_back(a);
  std::vector<ReferenceFeatures> refs;
  bool references_needed = false;
  for (const auto& a : calibrated_attacks) references_needed = references_needed || needs_references(a);
  if (references_needed) {
    if (inputs.references.empty())
      throw invalid_argument("--references", "reference runs for --attack " + calibrated_attacks.front() +
                                                 " (speechleak references train)", "none");
    refs = load_references(inputs, s, config);
  }
  for (const std::string level : {"utterance", "speaker"}) {
    const bool quantile = level == "utterance" && config.wants(level, "quantile");
    bool any_calibrated = false;
    for (const auto& a : calibrated_attacks) any_calibrated = any_calibrated || config.wants(level, a);
    if (!config.wants(level, "basic") && !config.wants(level, "improved") && !quantile && !any_calibrated) continue;
    const Direction d = choose_direction(level, s, config);
    if (config.wants(level, "basic")) result.results.push_back(finish(level, "basic", basic_scores(level, s.eval(), config), d, config));
    if (config.wants(level, "improved"))
      result.results.push_back(level == "utterance" ? improved_utterance(s, d, config, progress)
                                                    : improved_speaker(s, d, config, progress));
    if (quantile && inputs.descriptors) result.results.push_back(quantile_utterance(s, d, config, *inputs.descriptors));
    if (quantile && !inputs.descriptors)
      result.warnings.push_back("no quantile attack: it needs the utterances' audio descriptors (an audit given a "
                                "model and corpora), and this audit has feature stores only");
    for (const auto& a : calibrated_attacks)
      if (config.wants(level, a) && (a != "lira-mean" || level == "speaker"))
        result.results.push_back(calibrated(level, a, s, refs, d, config));
  }
  result.counts = counts(s);
  for (const auto& w : result.warnings) log_warn(w);
  return result;
}

}  // namespace speechleak::audit
