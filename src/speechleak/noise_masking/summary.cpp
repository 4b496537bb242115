#include "speechleak/noise_masking/summary.h"

#include <map>

#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::noise_masking {
namespace {

nlohmann::json rate_json(size_t k, size_t n) {
  const auto ci = metrics::wilson_interval(k, n);
  return {{"count", k}, {"rate", n ? double(k) / double(n) : 0.0}, {"wilson95", {ci.lower, ci.upper}}};
}

nlohmann::json points_json(const std::vector<FilterPoint>& points, size_t trials, const char* key) {
  auto out = nlohmann::json::array();
  for (const auto& p : points)
    out.push_back({{key, p.threshold}, {"kept", p.kept}, {"exact", p.exact}, {"any_name", p.any_name},
                   {"precision", p.precision()}, {"recall", trials ? double(p.exact) / double(trials) : 0.0}});
  return out;
}

nlohmann::json counts_json(const asr::ErrorTally::Counts& c) {
  return {{"utterances", c.utterances}, {"wer", c.words.rate()}, {"cer", c.characters.rate()},
          {"words", c.words.reference}, {"characters", c.characters.reference}};
}

}  // namespace

nlohmann::json RateCounts::to_json() const {
  return {{"trials", trials},
          {"exact", rate_json(exact, trials)},
          {"any_name", rate_json(any_name, trials)},
          {"other", other},
          {"deleted", deleted},
          {"unmasked_exact", rate_json(unmasked_exact, trials)},
          {"precision", precision()}};
}

nlohmann::json SetSummary::to_json() const {
  nlohmann::json j = {{"set", set},
                      {"counts", counts.to_json()},
                      {"filter_context_wer", points_json(by_tau, counts.trials, "tau")},
                      {"filter_confidence", points_json(by_theta, counts.trials, "theta")},
                      {"baselines", {{"chance", chance}, {"most_frequent_name", most_frequent_name},
                                     {"most_frequent_rate", most_frequent_rate}}}};
  if (unmasked) j["unmasked"] = counts_json(*unmasked);
  return j;
}

SetSummary summarise_set(const AttackReport& report, size_t inventory_size, const NoiseMaskConfig& config) {
  SetSummary s;
  s.set = report.set;
  std::map<std::string, size_t> names;
  for (const auto& o : report.outcomes) {
    auto& c = s.counts;
    ++c.trials;
    c.exact += o.exact();
    c.any_name += o.any_name;
    c.other += o.outcome == Outcome::Other;
    c.deleted += o.outcome == Outcome::Deleted;
    c.unmasked_exact += !o.unmasked_guess.empty() && o.unmasked_guess == o.name;
    ++names[o.name];
  }
  for (double tau : config.taus) {
    FilterPoint p{tau};
    for (const auto& o : report.outcomes)
      if (kept_at(o, tau)) ++p.kept, p.exact += o.exact(), p.any_name += o.any_name;
    s.by_tau.push_back(p);
  }
  for (double theta : config.thetas) {
    FilterPoint p{theta};
    for (const auto& o : report.outcomes)
      if (o.confidence >= theta) ++p.kept, p.exact += o.exact(), p.any_name += o.any_name;
    s.by_theta.push_back(p);
  }
  s.chance = inventory_size ? 1.0 / double(inventory_size) : 0.0;
  for (const auto& [name, n] : names)
    if (double(n) / double(s.counts.trials) > s.most_frequent_rate)
      s.most_frequent_name = name, s.most_frequent_rate = double(n) / double(s.counts.trials);
  if (config.unmasked && report.unmasked_errors.overall.utterances) s.unmasked = report.unmasked_errors.overall;
  return s;
}

nlohmann::json Comparison::to_json() const {
  nlohmann::json j = {{"first", first}, {"second", second}, {"gap", gap}, {"p_value", p_value}, {"test", test}};
  if (test == "mcnemar") j["discordant"] = {{"only_first", only_first}, {"only_second", only_second}};
  return j;
}

Comparison compare_unpaired(const SetSummary& t, const SetSummary& c) {
  Comparison out;
  out.first = t.set, out.second = c.set;
  out.gap = t.counts.exact_rate() - c.counts.exact_rate();
  out.p_value = metrics::fisher_exact_greater(t.counts.exact, t.counts.trials, c.counts.exact, c.counts.trials);
  out.test = "fisher";
  return out;
}

Comparison compare_paired(const AttackReport& t, const AttackReport& p) {
  std::map<std::pair<std::string, std::string>, bool> second;
  for (const auto& o : p.outcomes) second[{o.utt_id, o.name}] = o.exact();
  Comparison out;
  out.first = t.set, out.second = p.set;
  size_t both = 0, exact_t = 0, exact_p = 0;
  for (const auto& o : t.outcomes) {
    auto it = second.find({o.utt_id, o.name});
    if (it == second.end()) continue;
    ++both;
    exact_t += o.exact(), exact_p += it->second;
    out.only_first += o.exact() && !it->second;
    out.only_second += !o.exact() && it->second;
  }
  if (both == 0 || both != t.outcomes.size() || both != p.outcomes.size())
    throw invalid_argument("--paired-asr", "a run over the same trials as the target run (" +
                                               std::to_string(t.outcomes.size()) + ")",
                           std::to_string(p.outcomes.size()) + " trials, " + std::to_string(both) + " shared");
  out.gap = (double(exact_t) - double(exact_p)) / double(both);
  out.p_value = metrics::mcnemar_exact_greater(out.only_first, out.only_second);
  out.test = "mcnemar";
  return out;
}

}  // namespace speechleak::noise_masking
