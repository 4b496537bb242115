#include "speechleak/noise_masking/study.h"

#include <set>

#include "speechleak/rundir/schema.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::noise_masking {
namespace {

nlohmann::json skipped_json(const SkipReport& r) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [reason, n] : r.counts_by_reason()) j[reason] = n;
  return j;
}

std::string tsv_field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string outcomes_tsv(const StudyResult& result, const NoiseMaskConfig& options) {
  std::string out = text::join(rundir::noise_masking_columns(), "\t");
  for (double tau : options.taus) out += "\tkept_tau=" + text::general(tau);
  out += "\thypothesis\tblanked\tunmasked_hypothesis\tunmasked_guess\n";
  for (const auto& r : result.reports)
    for (const auto& o : r.outcomes) {
      std::vector<std::string> f = {r.set, o.utt_id, o.speaker_id, o.name, o.guess, to_string(o.outcome),
                                    o.any_name ? "1" : "0", o.spellable ? "1" : "0", text::fixed(o.context_wer, 4),
                                    text::fixed(o.context_cer, 4), std::to_string(o.context_words),
                                    text::fixed(o.confidence, 4), std::to_string(o.draws_agreeing),
                                    text::fixed(o.masked_s, 3)};
      for (double tau : options.taus) f.push_back(kept_at(o, tau) ? "1" : "0");
      for (const auto* s : {&o.hypothesis, &o.blanked, &o.unmasked_hypothesis, &o.unmasked_guess})
        f.push_back(tsv_field(*s));
      out += text::join(f, "\t") + "\n";
    }
  return out;
}

std::string ci(const nlohmann::json& rate) {
  return text::percent(rate["rate"].get<double>(), 1) + " [" + text::percent(rate["wilson95"][0].get<double>(), 1) +
         ", " + text::percent(rate["wilson95"][1].get<double>(), 1) + "]";
}

}  // namespace

// Padded with text::pad_* and numbers formatted locale-free (util/number_format.h), as audit::format_table.
std::string format_table(const StudyResult& r) {
  using text::pad_left;
  using text::pad_right;
  std::string out = pad_right("set", 9) + pad_left("trials", 6) + "  " + pad_right("exact [95% CI]", 23) +
                    pad_right("any-name [95% CI]", 23) + pad_left("precision", 9) + pad_left("unmasked", 10) + "\n";
  for (const auto& s : r.sets) {
    const auto j = s.counts.to_json();
    out += pad_right(s.set, 9) + pad_left(std::to_string(s.counts.trials), 6) + "  " + pad_right(ci(j["exact"]), 23) +
           pad_right(ci(j["any_name"]), 23) + pad_left(text::percent(s.counts.precision(), 1), 9) +
           pad_left(text::percent(j["unmasked_exact"]["rate"].get<double>(), 1), 10) + "\n";
  }
  for (const auto& c : r.comparisons) {
    out += "gap " + c.first + " - " + c.second + ": " + (c.gap >= 0 ? "+" : "") + text::fixed(100 * c.gap, 1);
    out += " points, one-sided " + c.test + " p = " + text::general(c.p_value, 3) + "\n";
  }
  if (r.sets.empty()) return out;
  const auto& t = r.sets[0];
  out += "baselines: chance " + text::percent(t.chance, 1) + " (1/" + std::to_string(r.inventory_size) +
         " names), most frequent name " + t.most_frequent_name + " " + text::percent(t.most_frequent_rate, 1) + "\n";
  if (t.unmasked)
    out += "recogniser on the unmasked targets: WER " + text::percent(t.unmasked->words.rate(), 1) + ", CER " +
           text::percent(t.unmasked->characters.rate(), 1) + "\n";
  return out;
}

void check_inputs(const StudyInputs& in) {
  if (!in.targets || !in.control || !in.names || !in.recogniser.model)
    throw invalid_argument("noise-masking inputs", "targets, control, names and a recogniser", "a missing input");
  std::set<std::string> ids, audio;
  for (const auto& u : in.targets->utterances) ids.insert(u.id), audio.insert(u.source.describe());
  for (const auto& u : in.control->utterances)
    if (ids.count(u.id) || audio.count(u.source.describe()))
      throw invalid_argument("--control", "utterances the targets do not contain (a control the encoder never saw)",
                             "utterance " + u.id + " (" + u.source.describe() + ") in both");
  size_t mentioning = 0;
  for (const auto& u : in.targets->utterances) mentioning += corpus::mentions_name(*in.names, u);
  if (mentioning == 0)
    throw invalid_argument("--names", "names that target transcripts mention (" + in.names->source.string() + ")",
                           "none of " + std::to_string(in.targets->utterances.size()) + " utterances mentions one");
}

StudyResult run_study(const StudyInputs& in, const NoiseMaskConfig& config, const ProgressCallback& progress) {
  check_inputs(in);
  StudyResult r;
  r.inventory_size = in.names->names.size();
  auto model = in.recogniser.model;
  r.reports.push_back(run_attack(*in.targets, *in.names, model, in.recogniser.do_normalize, config, "target", progress));
  r.reports.push_back(run_attack(*in.control, *in.names, model, in.recogniser.do_normalize, config, "control", progress));
  if (in.paired) {
    auto paired = in.paired->model;
    r.reports.push_back(run_attack(*in.targets, *in.names, paired, in.paired->do_normalize, config, "paired", progress));
  }
  for (const auto& rep : r.reports) r.sets.push_back(summarise_set(rep, r.inventory_size, config));
  r.comparisons.push_back(compare_unpaired(r.sets[0], r.sets[1]));
  if (in.paired) r.comparisons.push_back(compare_paired(r.reports[0], r.reports[2]));
  return r;
}

nlohmann::json StudyResult::to_json() const {
  nlohmann::json sets_json = nlohmann::json::array(), comparisons_json = nlohmann::json::array();
  for (size_t i = 0; i < sets.size(); ++i) {
    auto j = sets[i].to_json();
    const auto& rep = reports[i];
    j["plan"] = {{"utterances", rep.plan.utterances}, {"without_names", rep.plan.without_names},
                 {"skipped", skipped_json(rep.plan.skipped)}, {"summary", rep.plan.summary()}};
    j["skipped_trials"] = skipped_json(rep.skipped);
    j["unspellable"] = rep.unspellable;
    j["throughput"] = {{"recognitions", rep.recognitions}, {"audio_s", rep.audio_seconds},
                       {"wall_s", rep.wall_seconds},
                       {"masked_per_s", rep.wall_seconds > 0 ? double(rep.outcomes.size()) / rep.wall_seconds : 0.0}};
    sets_json.push_back(std::move(j));
  }
  for (const auto& c : comparisons) comparisons_json.push_back(c.to_json());
  return {{"inventory_size", inventory_size}, {"sets", sets_json}, {"comparisons", comparisons_json}};
}

nlohmann::json study_config(const std::string& command, const std::string& asr, const std::string& paired_asr,
                            const StudyInputs& in, const NoiseMaskConfig& options, const nlohmann::json& extra) {
  nlohmann::json j = {{"command", command},
                      {"asr", asr},
                      {"paired_asr", paired_asr.empty() ? nlohmann::json() : nlohmann::json(paired_asr)},
                      {"targets", in.targets ? in.targets->spec : ""},
                      {"control", in.control ? in.control->spec : ""},
                      {"names", in.names ? in.names->source.string() : ""},
                      {"noise_masking", options.to_json()},
                      {"seeds", {{"seed", options.seed}, {"rule", "derive_seed(seed, \"fill/<utt>/<name>/<draw>\")"}}},
                      {"versions", runtime::versions_json()}};
  j.update(extra);
  return j;
}

void write_study_directory(const std::filesystem::path& dir, const StudyResult& result, const NoiseMaskConfig& options,
                           const nlohmann::json& config) {
  std::filesystem::create_directories(dir / "noise-masking");
  std::filesystem::remove(rundir::summary_file(dir));  // an earlier run's summary must not vouch for this one
  write_text_file_atomically(rundir::config_file(dir), config.dump(2) + "\n");
  write_text_file_atomically(rundir::noise_masking_outcomes_file(dir), outcomes_tsv(result, options));
  nlohmann::json summary = {{"kind", "noise-masking"}, {"noise_masking", result.to_json()}};
  write_text_file_atomically(rundir::summary_file(dir), summary.dump(2) + "\n");
}

}  // namespace speechleak::noise_masking
