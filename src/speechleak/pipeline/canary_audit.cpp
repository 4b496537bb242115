#include "speechleak/pipeline/canary_audit.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>

#include "speechleak/audit/feature_set.h"
#include "speechleak/audit/scoring.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/extract.h"
#include "speechleak/metrics/auc.h"
#include "speechleak/pipeline/reference_features.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/train/pretext_signal.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"

namespace speechleak::pipeline {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kPretextField = "pretext/masked_logp";

struct CanarySet {
  corpus::Corpus originals;                  // each canary once (no --canary-repeats copies)
  std::map<std::string, bool> inserted;      // utt_id -> inserted
  bool per_speaker = false;
};

CanarySet read_canary_set(const fs::path& dir) {
  const auto marker = dir / "synth.json";
  const auto manifest = dir / "canaries.tsv";
  if (!fs::exists(marker) || !fs::exists(manifest))
    throw FileError(dir, "not a canary set: expected synth.json and canaries.tsv (make one with `speechleak canaries "
                         "make` or `speechleak synth --canaries N`)");
  const auto meta = json::parse(read_text_file(marker), nullptr, false);
  if (meta.is_discarded()) throw FormatError(marker, "not valid JSON");
  CanarySet s;
  const auto canaries = meta.value("config", json::object()).value("canaries", json::object());
  s.per_speaker = canaries.value("unit", "utterance") == "speaker";
  corpus::ManifestExtras extras;
  s.originals = corpus::read_manifest(manifest, &extras);
  const auto col = [&](const std::string& name) {
    const auto it = std::find(extras.columns.begin(), extras.columns.end(), name);
    if (it == extras.columns.end()) throw FormatError(manifest, "has no '" + name + "' column");
    return size_t(it - extras.columns.begin());
  };
  const size_t set_col = col("canary_set"), original_col = col("original");
  std::erase_if(s.originals.utterances, [&](const corpus::Utterance& u) {
    const auto& v = extras.values.at(u.id);
    return !v[original_col].empty() && v[original_col] != u.id;  // a repeat's copy
  });
  for (const auto& u : s.originals.utterances) {
    const auto& set = extras.values.at(u.id)[set_col];
    if (set != "inserted" && set != "heldout")
      throw FormatError(manifest, "utterance " + u.id + ": canary_set '" + set + "', expected inserted or heldout");
    s.inserted[u.id] = set == "inserted";
  }
  s.originals.speakers.clear();
  s.originals.finalize();
  s.originals.spec = "manifest:" + fs::absolute(manifest).string() + " (originals)";
  if (s.originals.utterances.empty()) throw FormatError(manifest, "lists no canary");
  return s;
}

// One score per canary (utterance, or speaker for speaker canaries), higher = more member-like.
std::map<std::string, double> canary_scores(const audit::FeatureSet& set, const std::string& signal, bool per_speaker,
                                            ScoreDirection direction) {
  std::map<std::string, double> out;
  if (signal == "basic") {
    const auto scored = per_speaker ? audit::basic_speaker_scores({&set}, 2)
                                    : audit::basic_utterance_scores({&set}, audit::Distance::Cosine);
    for (const auto& i : scored.items) out[i.id] = oriented(i.raw, direction);
    return out;
  }
  if (!per_speaker) {
    for (const auto& u : set.utterances)
      if (auto it = u.signals.find(kPretextField); it != u.signals.end()) out[u.utt_id] = it->second;
    return out;
  }
  for (const auto& g : audit::group_by_speaker({&set})) {
    double sum = 0;
    for (const auto* u : g.utterances) sum += u->signals.at(kPretextField);
    if (!g.utterances.empty()) out[g.speaker_id] = sum / double(g.utterances.size());
  }
  return out;
}

void write_scores_tsv(const fs::path& path, const CanaryAuditResult& r) {
  write_file_atomically(path, [&](std::ostream& os) {
    os << "canary\tset\tscore\tguess\texposure\n";
    for (const auto& c : r.canaries)
      os << c.id << "\t" << (c.inserted ? "inserted" : "heldout") << "\t" << text::general(c.score, 17) << "\t"
         << c.guess << "\t" << (std::isnan(c.exposure) ? "" : text::fixed(c.exposure, 4)) << "\n";
  });
}

}  // namespace

void CanaryAuditConfig::validate() const {
  if (signal != "auto" && signal != "basic" && signal != "pretext")
    throw invalid_argument("--signal", "auto, basic or pretext", "'" + signal + "'");
  if (!(guess_fraction > 0 && guess_fraction <= 0.5))
    throw invalid_argument("--guess-fraction", "in (0, 0.5]", text::shortest(guess_fraction));
  if (!(p > 0 && p < 1)) throw invalid_argument("--p", "in (0, 1)", text::shortest(p));
  if (!(delta >= 0 && delta < 1)) throw invalid_argument("--delta", "in [0, 1)", text::shortest(delta));
}

json CanaryAuditConfig::to_json() const {
  return {{"signal", signal}, {"direction", to_string(direction)}, {"guess_fraction", guess_fraction},
          {"guesses_in", guesses_in}, {"guesses_out", guesses_out}, {"delta", delta}, {"p", p},
          {"seed", seed}, {"layer", layer}};
}

json CanaryAuditResult::to_json() const {
  json rows = json::array();
  for (const auto& c : canaries)
    rows.push_back({{"id", c.id}, {"inserted", c.inserted}, {"score", c.score}, {"guess", c.guess}});
  return {{"unit", unit}, {"signal", signal}, {"canaries", counts.canaries}, {"guesses_in", guesses_in},
          {"guesses_out", guesses_out}, {"guesses", counts.guesses}, {"correct", counts.correct},
          {"epsilon_lower_bound", epsilon_lower_bound}, {"p_value_no_leak", p_value_no_leak},
          {"exposure", {{"mean", mean_exposure}, {"max", max_exposure}, {"ceiling", exposure_ceiling}}},
          {"auc", auc}, {"scores", rows}};
}

std::string CanaryAuditResult::summary() const {
  size_t inserted = 0;
  for (const auto& c : canaries) inserted += c.inserted;
  return std::to_string(counts.canaries) + " " + unit + " canaries (" + std::to_string(inserted) +
         " inserted), signal " + signal + "; guesses " + std::to_string(guesses_in) + " in + " +
         std::to_string(guesses_out) + " out, " + std::to_string(counts.correct) + " correct\n" +
         "epsilon lower bound " + text::fixed(epsilon_lower_bound, 3) + " (p-value of 'no leakage' " +
         text::scientific(p_value_no_leak, 2) + ")\n" + "exposure of the inserted canaries: mean " +
         text::fixed(mean_exposure, 2) + ", max " + text::fixed(max_exposure, 2) + " bits (of at most " +
         text::fixed(exposure_ceiling, 2) + "); AUC inserted vs held out " + text::fixed(auc, 3) + "\n";
}

CanaryAuditResult run_canary_audit(encoder::Encoder& model, const fs::path& model_path, const fs::path& canaries_dir,
                                   const fs::path& out, const CanaryAuditConfig& config,
                                   const ProgressCallback& progress) {
  config.validate();
  const auto set = read_canary_set(canaries_dir);
  CanaryAuditResult r;
  r.unit = set.per_speaker ? "speaker" : "utterance";
  const bool has_head = train::has_pretext_head(model_path);
  if (config.signal == "pretext" && !has_head)
    throw invalid_argument("--signal pretext", "a model speechleak pretrained, with its pretraining head",
                           model_path.string() + " has none");
  r.signal = config.signal == "auto" ? (has_head ? "pretext" : "basic") : config.signal;
  fs::create_directories(out);
  fs::remove(out / "canary_audit.json");  // written last
  auto signal = r.signal == "pretext" ? make_pretext_signal(model_path, model_path, config.seed) : nullptr;
  features::ExtractConfig ec;
  if (config.layer >= 0) ec.layers = {config.layer};
  const auto report = features::extract_features(set.originals, model, out / "features", ec, progress, signal.get());
  log_info("canaries: " + report.summary());
  const auto features = audit::load_feature_set(out / "features", "canaries", 0, config.layer, false);
  const auto scores = canary_scores(features, r.signal, set.per_speaker, config.direction);

  std::map<std::string, bool> truth;  // per canary
  for (const auto& u : set.originals.utterances) truth[set.per_speaker ? u.speaker_id : u.id] = set.inserted.at(u.id);
  std::vector<double> s;
  std::vector<bool> inserted;
  for (const auto& [id, score] : scores) {
    r.canaries.push_back({id, truth.at(id), score, 0, std::nan("")});
    s.push_back(score);
    inserted.push_back(truth.at(id));
  }
  if (r.canaries.size() < 2) throw Error("fewer than 2 canaries could be scored in " + canaries_dir.string());
  const size_t m = r.canaries.size();
  auto k = [&](int explicit_k) {
    return explicit_k >= 0 ? size_t(explicit_k) : size_t(std::lround(config.guess_fraction * double(m)));
  };
  r.guesses_in = k(config.guesses_in);
  r.guesses_out = k(config.guesses_out);
  const auto g = metrics::one_run_guesses(s, inserted, r.guesses_in, r.guesses_out);
  r.counts = g.counts;
  r.epsilon_lower_bound = metrics::epsilon_lower_bound(r.counts, config.delta, config.p);
  r.p_value_no_leak = metrics::one_run_p_value(0.0, r.counts, config.delta);
  std::vector<double> heldout;
  for (size_t i = 0; i < m; ++i) {
    r.canaries[i].guess = g.guess[i];
    if (!inserted[i]) heldout.push_back(s[i]);
  }
  double sum = 0;
  size_t n = 0;
  for (auto& c : r.canaries)
    if (c.inserted && !heldout.empty()) {
      c.exposure = metrics::exposure(c.score, heldout);
      sum += c.exposure, ++n;
      r.max_exposure = std::max(r.max_exposure, c.exposure);
    }
  r.mean_exposure = n ? sum / double(n) : 0;
  r.exposure_ceiling = std::log2(double(heldout.size()) + 1);
  std::vector<int> labels(inserted.begin(), inserted.end());
  if (n > 0 && !heldout.empty()) r.auc = metrics::mann_whitney_auc(s, labels);
  write_scores_tsv(out / "scores.tsv", r);
  json record = r.to_json();
  record["config"] = config.to_json();
  record["model"] = {{"path", model_path.string()}, {"description", model.metadata().description()}};
  record["canaries_dir"] = canaries_dir.string();
  record["versions"] = runtime::versions_json();
  write_text_file_atomically(out / "canary_audit.json", record.dump(2) + "\n");
  return r;
}

}  // namespace speechleak::pipeline
