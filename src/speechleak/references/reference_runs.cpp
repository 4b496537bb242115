#include "speechleak/references/reference_runs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "speechleak/corpus/load.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/train/presets.h"
#include "speechleak/train/pretrain_reuse.h"
#include "speechleak/train/run_directory.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"
#include "speechleak/util/log.h"
#include "speechleak/util/npy.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/random.h"
#include "speechleak/util/text.h"

namespace speechleak::references {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFile = "references.json";
constexpr int kFormatVersion = 1;

std::string run_name(size_t run) {
  char buf[24];  // room for any size_t
  std::snprintf(buf, sizeof buf, "%03zu", run);
  return buf;
}

// The recipe with what every run sets itself blanked, so that recipes compare (and hash) by what they train.
json recipe_json(const train::PretrainConfig& recipe) {
  auto j = recipe.to_json();
  j["corpus"] = "<run data>";
  j["training"]["seed"] = 0;
  return j;
}

std::string unit_id(Unit unit, const std::string& utt_id, const std::string& speaker_id) {
  return unit == Unit::Speaker ? speaker_id : utt_id;
}

}  // namespace

void ReferencesConfig::validate() const {
  if (recipe.empty()) throw invalid_argument("--recipe", "a speechleak model directory or a training preset", "none");
  if (candidates.empty()) throw invalid_argument("--candidates", "a corpus spec", "none");
  if (runs < (offline ? 1 : 2) || runs > 1024)
    throw invalid_argument("--runs", offline ? "1..1024" : "2..1024 (online: each candidate IN for half the runs)",
                           std::to_string(runs));
  if (!(population_fraction >= 0 && population_fraction <= 1))
    throw invalid_argument("--population-fraction", "in [0, 1]", text::shortest(population_fraction));
  if (offline && population.empty())
    throw invalid_argument("--population", "a corpus spec for offline references (they train on nothing else)", "none");
}

json ReferencesConfig::to_json() const {
  return {{"recipe", recipe},     {"candidates", candidates}, {"population", population},
          {"runs", runs},         {"unit", to_string(unit)},  {"offline", offline},
          {"population_fraction", population_fraction},       {"seed", seed}, {"device", device}};
}

ReferencesConfig ReferencesConfig::from_json(const json& j, const std::string& source) {
  ReferencesConfig c;
  try {
    c.recipe = j.at("recipe").get<std::string>();
    c.candidates = j.at("candidates").get<std::string>();
    c.population = j.value("population", "");
    const auto runs = json_integer<int>(j.at("runs"));
    if (!runs) throw FormatError(source, "references config: 'runs' must be an integer, got " + j.at("runs").dump());
    c.runs = *runs;
    c.unit = parse_unit(j.at("unit").get<std::string>());
    c.offline = j.value("offline", false);
    c.population_fraction = j.value("population_fraction", 0.5);
    const auto seed = json_integer<uint64_t>(j.value("seed", json(0)));
    if (!seed)
      throw FormatError(source, "references config: 'seed' must be an integer >= 0, got " + j.at("seed").dump());
    c.seed = *seed;
    c.device = j.value("device", "cpu");
  } catch (const json::exception& e) {
    throw FormatError(source, std::string("references config: ") + e.what());
  }
  return c;
}

train::PretrainConfig resolve_recipe(const std::string& recipe) {
  train::PretrainConfig c;
  if (fs::is_directory(recipe)) {
    const auto path = fs::path(recipe) / "pretrain_config.json";
    if (!fs::exists(path))
      throw FileError(path, "missing: --recipe must be a model speechleak pretrained (or a training preset)");
    auto j = json::parse(read_text_file(path), nullptr, false);
    if (j.is_discarded()) throw FormatError(path, "not valid JSON");
    c = train::PretrainConfig::from_json(j, path.string());
  } else {
    c.arch = "mini";
    c.model = train::resolve_arch(c.arch);
    try {
      train::apply_training_preset(recipe, c);
    } catch (const InvalidArgument& e) {  // it names --preset and lists the presets
      throw invalid_argument("--recipe", "a model directory speechleak pretrained or a training preset",
                             "'" + recipe + "'" + (fs::exists(recipe) ? ", a file" : "") + " (" + e.what() + ")");
    }
  }
  if (c.defenses.needs_names())
    throw invalid_argument("--recipe", "a recipe without silence-names / sanitize-names (a reference run's data "
                                       "manifest carries no alignments or name list)",
                           "defenses " + text::join(c.defenses.active(), ", "));
  return c;
}

fs::path ReferenceSet::run_dir(size_t run) const { return dir_ / "runs" / run_name(run); }

bool ReferenceSet::finished(size_t run) const {
  return train::pretrain_state(run_dir(run)) == train::PretrainState::Finished;
}

bool ReferenceSet::trained_on_utterance(size_t run, const std::string& utt_id) const {
  auto it = unit_of_.find(utt_id);
  return it != unit_of_.end() && keep_.in(run, it->second);
}

bool ReferenceSet::trained_on_speaker(size_t run, const std::string& speaker_id) const {
  return keep_.unit == Unit::Speaker && keep_.in(run, speaker_id);
}

// Builds references.json's content and reads it back; the one place that knows its layout.
struct ReferenceSetWriter {
  static json to_json(const ReferenceSet& s) {
    json candidates = json::array();
    for (const auto& [utt, unit] : s.unit_of_) candidates.push_back({utt, unit});
    return {{"format", "speechleak-references"}, {"format_version", kFormatVersion},
            {"config", s.config_.to_json()},    {"recipe", recipe_json(s.recipe_)},
            {"candidates", candidates},          {"keep", s.keep_.to_json()},
            {"speechleak_version", SPEECHLEAK_VERSION}};
  }

  static ReferenceSet from_json(const json& j, const fs::path& dir, const fs::path& source) {
    if (j.value("format", "") != "speechleak-references")
      throw FormatError(source, "not a speechleak references file (expected format \"speechleak-references\")");
    if (j.value("format_version", 0) != kFormatVersion)
      throw FormatError(source, "format_version " + j.value("format_version", json()).dump() + ", expected " +
                                    std::to_string(kFormatVersion));
    ReferenceSet s;
    s.dir_ = dir;
    s.config_ = ReferencesConfig::from_json(j.at("config"), source.string());
    s.recipe_ = train::PretrainConfig::from_json(j.at("recipe"), source.string());
    s.keep_ = KeepMatrix::from_json(j.at("keep"), source.string());
    try {
      for (const auto& c : j.at("candidates")) s.unit_of_[c.at(0).get<std::string>()] = c.at(1).get<std::string>();
    } catch (const json::exception& e) {
      throw FormatError(source, std::string("candidates: ") + e.what());
    }
    for (const auto& [utt, unit] : s.unit_of_)
      if (s.keep_.column(unit) < 0)
        throw FormatError(source, "candidate " + utt + " belongs to unit '" + unit + "', which the keep matrix lacks");
    return s;
  }
};

ReferenceSet ReferenceSet::load(const fs::path& dir) {
  const auto path = dir / kFile;
  if (!fs::exists(path))
    throw FileError(path, "missing: not a references directory (make one with `speechleak references train`)");
  auto j = json::parse(read_text_file(path), nullptr, false);
  if (j.is_discarded()) throw FormatError(path, "not valid JSON");
  try {
    return ReferenceSetWriter::from_json(j, dir, path);
  } catch (const json::exception& e) {
    throw FormatError(path, e.what());
  }
}

namespace {

// The plan: the candidates and their units, the keep matrix, the recipe.
ReferenceSet plan_references(const ReferencesConfig& config, const corpus::Corpus& candidates, const fs::path& out,
                             const train::PretrainConfig& recipe) {
  std::map<std::string, std::string> unit_of;
  std::vector<std::string> units;
  for (const auto& u : candidates.utterances) {
    unit_of[u.id] = unit_id(config.unit, u.id, u.speaker_id);
    units.push_back(unit_of[u.id]);
  }
  auto keep = config.offline ? offline_keep(units, config.unit, config.runs)
                             : balanced_keep(units, config.unit, config.runs, config.seed);
  json j = {{"format", "speechleak-references"}, {"format_version", kFormatVersion},
            {"config", config.to_json()},       {"recipe", recipe_json(recipe)},
            {"candidates", json::array()},       {"keep", keep.to_json()}};
  for (const auto& [utt, unit] : unit_of) j["candidates"].push_back({utt, unit});
  return ReferenceSetWriter::from_json(j, out, out / kFile);
}

// Refuses a population that shares utterances or (speaker units) speakers with the candidates: an OUT run would
// train on them.
void check_disjoint(const corpus::Corpus& candidates, const corpus::Corpus& population, Unit unit) {
  std::set<std::string> ids;
  for (const auto& u : candidates.utterances) ids.insert(unit_id(unit, u.id, u.speaker_id));
  for (const auto& u : population.utterances)
    if (ids.count(unit_id(unit, u.id, u.speaker_id)))
      throw invalid_argument("--population", "no " + to_string(unit) + " of --candidates",
                             to_string(unit) + " '" + unit_id(unit, u.id, u.speaker_id) + "' is in both");
}

// Run `run`'s data: its IN candidates and its seeded share of the population's units.
corpus::Corpus run_data(const ReferenceSet& set, size_t run, const corpus::Corpus& candidates,
                        const corpus::Corpus* population) {
  const auto& c = set.config();
  corpus::Corpus data;
  data.spec = "reference run " + run_name(run);
  for (const auto& u : candidates.utterances)
    if (set.trained_on_utterance(run, u.id)) data.utterances.push_back(u);
  if (population) {
    std::vector<std::string> units;
    for (const auto& u : population->utterances) units.push_back(unit_id(c.unit, u.id, u.speaker_id));
    std::sort(units.begin(), units.end());
    units.erase(std::unique(units.begin(), units.end()), units.end());
    Rng rng(derive_seed(c.seed, "population/" + run_name(run)));
    const auto k = static_cast<size_t>(std::lround(c.population_fraction * double(units.size())));
    std::set<std::string> chosen;
    for (size_t i : sample_without_replacement(units.size(), k, rng)) chosen.insert(units[i]);
    for (const auto& u : population->utterances)
      if (chosen.count(unit_id(c.unit, u.id, u.speaker_id))) data.utterances.push_back(u);
  }
  for (const auto& u : data.utterances) {
    const auto* from = candidates.speakers.count(u.speaker_id) ? &candidates : population;
    data.speakers[u.speaker_id] = from->speakers.at(u.speaker_id);
  }
  std::sort(data.utterances.begin(), data.utterances.end(),
            [](const corpus::Utterance& a, const corpus::Utterance& b) { return a.id < b.id; });
  data.finalize();
  return data;
}

// Writes references.json, keep.npy and units.txt for a new directory, or checks that the existing plan is this one.
void write_or_check_plan(const ReferenceSet& planned, const fs::path& out) {
  const auto path = out / kFile;
  const json mine = ReferenceSetWriter::to_json(planned);
  if (fs::exists(path)) {
    auto stored = json::parse(read_text_file(path), nullptr, false);
    if (stored.is_discarded()) throw FormatError(path, "not valid JSON; delete it to plan the references again");
    auto differences = train::json_differences(stored, mine, {"speechleak_version", "config.device"});
    if (!differences.empty())
      throw Error(out.string() + " holds references planned with other options (" + text::join(differences, ", ") +
                  "); use another --out or the same options");
    return;
  }
  fs::create_directories(out);
  write_npy(out / "keep.npy", planned.keep().keep);
  write_text_file_atomically(out / "units.txt", text::join(planned.keep().units, "\n") + "\n");
  write_text_file_atomically(path, mine.dump(1) + "\n");  // last: its presence means the plan is complete
}

}  // namespace

ReferencesResult train_references(const ReferencesConfig& config, const fs::path& out_in,
                                  const ReferencesOptions& options) {
  config.validate();
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path out = fs::absolute(out_in);
  const auto recipe = resolve_recipe(config.recipe);
  const auto candidates = corpus::load_corpus(corpus::CorpusSpec::parse(config.candidates));
  std::optional<corpus::Corpus> population;
  if (!config.population.empty()) {
    population = corpus::load_corpus(corpus::CorpusSpec::parse(config.population));
    check_disjoint(candidates, *population, config.unit);
  }
  const auto planned = plan_references(config, candidates, out, recipe);
  write_or_check_plan(planned, out);
  auto set = ReferenceSet::load(out);
  ReferencesResult result{set, {}, {}, 0};
  for (size_t run = 0; run < set.runs() && !options.plan_only; ++run) {
    if (!options.only_runs.empty() &&
        std::find(options.only_runs.begin(), options.only_runs.end(), int(run)) == options.only_runs.end())
      continue;
    const auto dir = set.run_dir(run);
    auto pretrain = recipe;
    pretrain.seed = derive_seed(config.seed, "reference/" + run_name(run));
    pretrain.device = config.device;
    pretrain.corpus = "manifest:" + (dir / "data.tsv").string();
    pretrain.validate();
    if (train::pretrain_state(dir) == train::PretrainState::Finished) {
      result.reused.push_back(run);
      if (options.on_run) options.on_run(run, set.runs(), "reused");
      continue;
    }
    const auto data = run_data(set, run, candidates, population ? &*population : nullptr);
    if (data.utterances.empty())
      throw Error("reference run " + run_name(run) + " has no data: no IN candidate and no population share");
    fs::create_directories(dir);
    if (!fs::exists(dir / "data.tsv")) corpus::write_manifest(dir / "data.tsv", data);
    if (options.on_run)
      options.on_run(run, set.runs(), "training on " + std::to_string(data.utterances.size()) + " utterances of " +
                                           std::to_string(data.speaker_ids().size()) + " speakers");
    train::pretrain_or_reuse(pretrain, dir, train::reporting_options(options.progress, options.command_line));
    result.trained.push_back(run);
  }
  result.set = ReferenceSet::load(out);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace speechleak::references
