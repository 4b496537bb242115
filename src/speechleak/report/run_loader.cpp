#include "speechleak/report/run_loader.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "speechleak/metrics/roc.h"
#include "speechleak/report/csv_table.h"
#include "speechleak/report/json_fields.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"
#include "speechleak/util/text.h"

namespace speechleak::report {

namespace fs = std::filesystem;

namespace {

std::optional<Bounds> parse_interval(const nlohmann::json& j, const JsonFields& f, const std::string& key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  const nlohmann::json& v = j.at(key);
  if (!v.is_object()) f.fail(key, "{\"lower\", \"upper\"} or null", v);
  return Bounds{f.number(v, "lower"), f.number(v, "upper")};
}

// tpr_at_fpr is keyed by the decimal form of each target ("0.001"); compare numerically so "1e-3" matches too.
std::optional<TprCell> parse_tpr(const nlohmann::json& metrics, double target, const fs::path& file,
                                 const std::string& where) {
  const JsonFields f(file, where);
  if (!metrics.contains("tpr_at_fpr") || !metrics.at("tpr_at_fpr").is_object()) return std::nullopt;
  for (const auto& [key, cell] : metrics.at("tpr_at_fpr").items()) {
    char* end = nullptr;
    const double x = std::strtod(key.c_str(), &end);
    if (end == key.c_str() || *end != '\0' || std::fabs(x - target) > 1e-12) continue;
    const JsonFields c(file, f.path("tpr_at_fpr") + "[\"" + key + "\"]");
    TprCell t;
    t.tpr = c.number(cell, "tpr");
    t.fpr = c.optional_number(cell, "fpr").value_or(target);
    t.below_resolution = cell.contains("below_resolution") && cell.at("below_resolution") == true;
    t.interval = parse_interval(cell, c, "interval");
    return t;
  }
  return std::nullopt;
}

// ML Privacy Meter's one_tenth_fpr / one_fpr: the same TPR without an interval, for summaries without the target.
std::optional<TprCell> fallback_tpr(const nlohmann::json& metrics, const JsonFields& f, const std::string& key) {
  const std::optional<double> v = f.optional_number(metrics, key);
  if (!v) return std::nullopt;
  TprCell t;
  t.tpr = *v;
  return t;
}

// level and attack become file names: refuse anything that could leave the run directory.
std::string name_field(const nlohmann::json& entry, const JsonFields& f, const std::string& key) {
  std::string v = f.string(entry, key);
  if (v.empty() || v[0] == '.' || v.find_first_of("/\\") != std::string::npos) f.fail(key, "a plain name", v);
  return v;
}

Result parse_result(const nlohmann::json& entry, const fs::path& file, const std::string& where) {
  const JsonFields f(file, where);
  Result r;
  r.level = name_field(entry, f, "level");
  r.attack = name_field(entry, f, "attack");
  if (entry.contains("layer") && !entry.at("layer").is_null()) {
    const auto layer = json_integer<long long>(entry.at("layer"));
    if (!layer) f.fail("layer", "an integer", entry.at("layer"));
    r.layer = *layer;
  }
  r.direction = f.optional_string(entry, "direction");
  r.direction_source = f.optional_string(entry, "direction_source");
  if (entry.contains("paper_direction")) {
    if (!entry.at("paper_direction").is_boolean()) f.fail("paper_direction", "true or false", entry.at("paper_direction"));
    r.paper_direction = entry.at("paper_direction").get<bool>();
  } else {
    r.paper_direction = r.direction != "low";
  }
  r.metrics = parse_metrics(f.need(entry, "metrics"), file, f.path("metrics"));
  return r;
}

// The fields of summary.json's "noise_masking" object that the report shows (docs/noise-masking.md) are absent or
// of the type a noise-masking run writes, so that a hand-edited or foreign file is named here, field and all.
void check_noise_masking(const nlohmann::json& nm, const fs::path& file) {
  using nlohmann::json;
  const auto object = [&](const json& v, const std::string& where, const std::vector<std::string>& numbers,
                          const std::vector<std::string>& strings, const std::vector<std::string>& counts) {
    const JsonFields f(file, where);
    if (!v.is_object()) f.fail("", "an object", v);
    for (const auto& k : numbers) (void)f.optional_number(v, k);
    for (const auto& k : strings) (void)f.optional_string(v, k);
    for (const auto& k : counts)
      if (v.contains(k)) (void)f.count(v, k);
  };
  const auto each = [&](const json& parent, const std::string& where, const std::string& key, const auto& check) {
    if (!parent.contains(key)) return;
    const json& list = parent.at(key);
    if (!list.is_array()) JsonFields(file, where).fail(key, "an array", list);
    for (size_t i = 0; i < list.size(); ++i) check(list[i], where + "." + key + "[" + std::to_string(i) + "]");
  };
  const auto rate = [&](const json& counts, const std::string& where, const std::string& key) {
    if (!counts.contains(key) || counts.at(key).is_null()) return;
    object(counts.at(key), where + "." + key, {"rate"}, {}, {"count", "trials"});
    const json& ci = counts.at(key).value("wilson95", json());
    if (!ci.is_null() && !(ci.is_array() && ci.size() == 2 && ci[0].is_number() && ci[1].is_number()))
      JsonFields(file, where + "." + key).fail("wilson95", "two numbers [low, high]", ci);
  };
  each(nm, "noise_masking", "sets", [&](const json& set, const std::string& where) {
    object(set, where, {}, {"set"}, {});
    if (set.contains("counts")) {
      object(set.at("counts"), where + ".counts", {"precision"}, {}, {"trials"});
      for (const char* key : {"exact", "any_name", "unmasked_exact"}) rate(set.at("counts"), where + ".counts", key);
    }
    if (set.contains("unmasked") && !set.at("unmasked").is_null())
      object(set.at("unmasked"), where + ".unmasked", {"wer", "cer"}, {}, {});
    if (set.contains("baselines"))
      object(set.at("baselines"), where + ".baselines", {"chance", "most_frequent_rate"}, {"most_frequent_name"}, {});
    for (const auto& [key, threshold_key] :
         {std::pair{"filter_context_wer", "tau"}, std::pair{"filter_confidence", "theta"}}) {
      const std::string threshold = threshold_key;  // a structured binding cannot be captured before C++20's fix
      each(set, where, key, [&](const json& p, const std::string& at) {
        object(p, at, {threshold, "precision", "recall"}, {}, {"kept"});
      });
    }
  });
  each(nm, "noise_masking", "comparisons", [&](const json& c, const std::string& where) {
    object(c, where, {"gap", "p_value"}, {"first", "second", "test"}, {});
  });
}

void read_result_files(const fs::path& dir, Result& r, std::vector<std::string>& warnings) {
  const std::string stem = rundir::result_stem(r.level, r.attack);
  r.roc = read_roc(rundir::roc_file(dir, r.level, r.attack));
  auto [members, nonmembers] = read_scores(rundir::scores_file(dir, r.level, r.attack));
  if (members.size() != r.metrics.n_members || nonmembers.size() != r.metrics.n_nonmembers)
    warnings.push_back("report: scores/" + stem + ".csv holds " + std::to_string(members.size()) + " members and " +
                       std::to_string(nonmembers.size()) + " non-members, summary.json says " +
                       std::to_string(r.metrics.n_members) + " and " + std::to_string(r.metrics.n_nonmembers));
  r.member_scores = std::move(members);
  r.nonmember_scores = std::move(nonmembers);
}

void read_summary(const fs::path& dir, RunData& run) {
  const fs::path file = rundir::summary_file(dir);
  const nlohmann::json summary = read_json_file(file);
  const JsonFields f(file, "");
  run.run_name = f.optional_string(summary, "run_name");
  if (run.run_name.empty()) run.run_name = fs::absolute(dir).lexically_normal().filename().string();
  run.speechleak_version = f.optional_string(summary, "speechleak_version");
  if (summary.contains("model") && !summary.at("model").is_null()) {
    const JsonFields m(file, "model");
    const nlohmann::json& model = summary.at("model");
    run.model_path = m.optional_string(model, "path");
    run.model_fingerprint = m.optional_string(model, "fingerprint");
    run.model_description = m.optional_string(model, "description");
  }
  if (summary.contains("warnings")) {
    const nlohmann::json& w = summary.at("warnings");
    if (!w.is_array()) f.fail("warnings", "an array of strings", w);
    for (const auto& x : w) run.warnings.push_back(x.is_string() ? x.get<std::string>() : x.dump());
  }
  if (summary.contains("blind_baseline") && summary.at("blind_baseline").is_object()) {
    const nlohmann::json& b = summary.at("blind_baseline");
    if (!b.contains("auc") || !b.at("auc").is_number()) f.fail("blind_baseline", "an object with a number \"auc\"", b);
    run.blind_baseline = b;
  }
  if (summary.contains("noise_masking")) {
    const nlohmann::json& nm = summary.at("noise_masking");
    if (!nm.is_object() || !nm.contains("sets") || !nm.at("sets").is_array())
      f.fail("noise_masking", "an object with a \"sets\" array", nm);
    check_noise_masking(nm, file);
    run.noise_masking = nm;
    if (!summary.contains("results")) return;  // a noise-masking run has no membership results
  }
  const nlohmann::json& results = f.need(summary, "results");
  if (!results.is_array()) f.fail("results", "an array", results);
  std::set<std::string> seen;
  for (size_t i = 0; i < results.size(); ++i) {
    Result r = parse_result(results[i], file, "results[" + std::to_string(i) + "]");
    if (!seen.insert(r.level + "-" + r.attack).second)
      throw FormatError(file, "results[" + std::to_string(i) + "]: a second entry for level '" + r.level +
                                  "', attack '" + r.attack + "'");
    run.results.push_back(std::move(r));
  }
}

void read_speaker_tables(const fs::path& dir, RunData& run) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(rundir::scores_dir(dir), ec))
    if (rundir::attack_of_file(e.path().filename().string(), "speaker")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files)
    run.speakers[*rundir::attack_of_file(file.filename().string(), "speaker")] = read_speaker_scores(file);
}

// Exact recoveries on the target set, from the tab-separated outcomes file.
void read_recovered_names(const fs::path& dir, RunData& run) {
  const fs::path file = rundir::noise_masking_outcomes_file(dir);
  const auto lines = read_lines(file);
  if (lines.empty()) throw FormatError(file, "empty (expected a header row)");
  const auto header = text::split(lines[0], '\t');
  auto col = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw FormatError(file, "missing column '" + name + "'");
    return static_cast<size_t>(it - header.begin());
  };
  const size_t set = col("set"), id = col("utt_id"), name = col("name"), outcome = col("outcome"),
               blanked = col("blanked"), hyp = col("hypothesis"), unmasked = col("unmasked_hypothesis");
  for (size_t i = 1; i < lines.size() && run.recovered.size() < RunData::kMaxExamples; ++i) {
    const auto f = text::split(lines[i], '\t');
    if (f.size() != header.size())
      throw FormatError(file, "line " + std::to_string(i + 1) + ": " + std::to_string(f.size()) + " fields, the header has " +
                                  std::to_string(header.size()));
    if (f[set] == "target" && f[outcome] == "exact") run.recovered.push_back({f[id], f[name], f[blanked], f[hyp], f[unmasked]});
  }
}

}  // namespace

Metrics parse_metrics(const nlohmann::json& metrics, const fs::path& file, const std::string& where) {
  const JsonFields f(file, where);
  Metrics m;
  m.n_members = f.count(metrics, "n_members");
  m.n_nonmembers = f.count(metrics, "n_nonmembers");
  m.auc = f.number(metrics, "auc");
  m.auc_interval = parse_interval(metrics, f, "auc_interval");
  m.tpr_at_0_1 = parse_tpr(metrics, 0.001, file, where);
  if (!m.tpr_at_0_1) m.tpr_at_0_1 = fallback_tpr(metrics, f, "one_tenth_fpr");
  m.tpr_at_1 = parse_tpr(metrics, 0.01, file, where);
  if (!m.tpr_at_1) m.tpr_at_1 = fallback_tpr(metrics, f, "one_fpr");
  m.balanced_accuracy = f.optional_number(metrics, "balanced_accuracy");
  m.advantage = f.optional_number(metrics, "advantage");
  return m;
}

std::vector<RocPoint> read_roc(const fs::path& file) {
  const CsvTable t = CsvTable::read(file);
  const size_t fpr = t.column(metrics::kRocFprColumn), tpr = t.column(metrics::kRocTprColumn);
  std::vector<RocPoint> roc;
  roc.reserve(t.rows());
  for (size_t i = 0; i < t.rows(); ++i) {
    const RocPoint p{t.number(i, fpr), t.number(i, tpr)};
    if (p.fpr < 0 || p.fpr > 1 || p.tpr < 0 || p.tpr > 1) throw t.error(i, "fpr and tpr must lie in [0, 1]");
    roc.push_back(p);
  }
  if (roc.empty()) throw FormatError(file, "no ROC points");
  return roc;
}

std::pair<std::vector<double>, std::vector<double>> read_scores(const fs::path& file) {
  const CsvTable t = CsvTable::read(file);
  const size_t member = t.column(rundir::column::kMember), score = t.column(rundir::column::kScore);
  std::pair<std::vector<double>, std::vector<double>> out;
  for (size_t i = 0; i < t.rows(); ++i) (t.flag(i, member) ? out.first : out.second).push_back(t.number(i, score));
  return out;
}

std::vector<SpeakerScore> read_speaker_scores(const fs::path& file) {
  const CsvTable t = CsvTable::read(file);
  using namespace rundir::column;
  const size_t id = t.column(kSpeakerId), n = t.column(kNUtts), member = t.column(kMember), score = t.column(kScore);
  std::vector<SpeakerScore> out;
  for (size_t i = 0; i < t.rows(); ++i) {
    const long long n_utts = t.integer(i, n);
    if (n_utts < 0) throw t.error(i, "n_utts: expected a count, got " + std::to_string(n_utts));
    out.push_back({t.text(i, id), static_cast<size_t>(n_utts), t.flag(i, member), t.number(i, score)});
  }
  std::stable_sort(out.begin(), out.end(), [](const SpeakerScore& a, const SpeakerScore& b) {
    return a.score != b.score ? a.score > b.score : a.speaker_id < b.speaker_id;
  });
  return out;
}

RunData load_run(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw FileError(dir, "is not a run directory (no such directory)");
  RunData run;
  run.dir = dir;
  read_summary(dir, run);
  run.config = read_json_file(rundir::config_file(dir));
  if (!run.config.is_object()) throw FormatError(rundir::config_file(dir), "expected a JSON object");
  for (Result& r : run.results) read_result_files(dir, r, run.warnings);
  read_speaker_tables(dir, run);
  if (run.noise_masking) read_recovered_names(dir, run);
  return run;
}

}  // namespace speechleak::report
