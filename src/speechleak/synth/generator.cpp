#include "speechleak/synth/generator.h"

#include <map>
#include <optional>

#include "speechleak/synth/espeak_engine.h"
#include "speechleak/synth/layout_writer.h"
#include "speechleak/synth/plan.h"
#include "speechleak/synth/render.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"

namespace speechleak::synth {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr const char* kStateDir = ".synth-state";
constexpr const char* kIdentityFile = "identity.json";
constexpr const char* kMarker = "synth.json";

std::optional<json> read_json(const fs::path& path) {
  if (!fs::exists(path)) return std::nullopt;
  try {
    return json::parse(read_text_file(path));
  } catch (const json::exception& e) {
    throw FormatError(path, std::string("not valid JSON: ") + e.what());
  }
}

// "config.seed: 1 vs 2; espeak_ng_version: ..." for the top-level and config keys that differ.
std::string differences(const json& found, const json& wanted) {
  std::string out;
  auto add = [&](const std::string& key, const json& a, const json& b) {
    if (a == b) return;
    out += (out.empty() ? "" : "; ") + key + ": " + (a.is_null() ? "missing" : a.dump()) + " there, " + b.dump() +
           " now";
  };
  for (const auto& [key, value] : wanted.items()) {
    const json there = found.contains(key) ? found[key] : json();
    if (key == "config" && there.is_object())
      for (const auto& [k, v] : value.items()) add("config." + k, there.contains(k) ? there[k] : json(), v);
    else add(key, there, value);
  }
  return out;
}

bool same_identity(const json& found, const json& identity) { return differences(found, identity).empty(); }

fs::path state_file(const fs::path& partial, const ChapterPlan& ch) {
  return partial / kStateDir / (ch.split + "-" + ch.speaker_id + "-" + ch.chapter_id + ".json");
}

void save_chapter_state(const fs::path& path, const ChapterPlan& ch, const RecordMap& records) {
  json utts = json::array();
  for (const auto& u : ch.utterances) {
    const auto& r = records.at(u.id);
    json words = json::array();
    for (const auto& w : r.words) words.push_back({w.word, w.start_s, w.end_s});
    utts.push_back({{"id", u.id}, {"duration_s", r.duration_s}, {"words", words}});
  }
  write_text_file_atomically(path, json{{"chapter", ch.key()}, {"utterances", utts}}.dump() + "\n");
}

// The saved records of a finished chapter; false when absent, unreadable or not matching the plan (then the
// chapter is redone: its files are rewritten atomically).
bool load_chapter_state(const fs::path& path, const ChapterPlan& ch, RecordMap& records) try {
  const auto j = read_json(path);
  if (!j) return false;
  const json& utts = (*j)["utterances"];
  if (!utts.is_array() || utts.size() != ch.utterances.size()) return false;
  RecordMap loaded;
  for (size_t i = 0; i < utts.size(); ++i) {
    if (utts[i].value("id", "") != ch.utterances[i].id) return false;
    UtteranceRecord r;
    r.duration_s = utts[i].at("duration_s").get<double>();
    for (const auto& w : utts[i].at("words")) r.words.push_back({w[0].get<std::string>(), w[1].get<double>(), w[2].get<double>()});
    if (r.words.size() != ch.utterances[i].sentence.words.size()) return false;
    loaded[ch.utterances[i].id] = std::move(r);
  }
  records.merge(loaded);
  return true;
} catch (const std::exception& e) {
  log_warn("redoing chapter " + ch.key() + ": its saved state " + path.string() + " is unreadable (" + e.what() + ")");
  return false;
}

void synthesise_chapter(const fs::path& partial, const ChapterPlan& ch, RecordMap& records) {
  const auto rendered = synthesize_chapter(ch);
  for (size_t i = 0; i < rendered.size(); ++i) {
    const auto& u = ch.utterances[i];
    write_utterance(partial, u, rendered[i]);
    records[u.id] = {rendered[i].words, rendered[i].audio.duration_s()};
  }
  write_transcripts(partial, ch);
  save_chapter_state(state_file(partial, ch), ch, records);
}

json finished_marker(const json& identity, const CorpusPlan& plan, const RecordMap& records) {
  json j = identity;
  std::map<std::string, std::pair<size_t, double>> counts;  // split -> utterances, seconds
  double total = 0;
  for (const auto& ch : plan.chapters)
    for (const auto& u : ch.utterances) {
      const double secs = records.at(u.id).duration_s;
      ++counts[ch.split].first;
      counts[ch.split].second += secs;
      total += secs;
    }
  json splits = json::object();
  for (const auto& [split, c] : counts)
    splits[split] = {{"speakers", plan.split_speakers.at(split).size()}, {"utterances", c.first}, {"audio_s", c.second}};
  j["sample_rate"] = 16000;
  j["splits"] = splits;
  j["utterances"] = plan.utterance_count();
  j["audio_s"] = total;
  return j;
}

// Checks <out>; true when it already holds this corpus.
bool check_output(const fs::path& out, const json& identity) {
  if (!fs::exists(out)) return false;
  if (auto marker = read_json(out / kMarker)) {
    if (same_identity(*marker, identity)) return true;
    throw Error(out.string() + " already holds a synthetic corpus made with different options (" +
                differences(*marker, identity) + "); choose another --out or delete it");
  }
  if (!fs::is_directory(out) || !fs::is_empty(out))
    throw Error(out.string() + " exists and is not a finished synthetic corpus (no " + kMarker +
                "); refusing to write into it");
  return false;
}

// Prepares <out>.partial; returns true when it held an interrupted run of the same corpus (resume).
bool prepare_partial(const fs::path& partial, const json& identity) {
  const fs::path id_file = partial / kStateDir / kIdentityFile;
  if (fs::exists(partial)) {
    auto found = read_json(id_file);
    if (found && same_identity(*found, identity)) return true;
    throw Error(partial.string() + " holds an interrupted run with different options (" +
                (found ? differences(*found, identity) : std::string("no saved state")) +
                "); delete it to start over, or re-run with the same options to resume");
  }
  fs::create_directories(partial / kStateDir);
  write_text_file_atomically(id_file, identity.dump(2) + "\n");
  return false;
}

void finish(const fs::path& partial, const fs::path& out, const json& marker) {
  fs::remove_all(partial / kStateDir);
  write_text_file_atomically(partial / kMarker, marker.dump(2) + "\n");
  if (fs::exists(out)) fs::remove(out);  // an empty directory (check_output refused anything else)
  fs::rename(partial, out);
}

json identity_of(const SynthConfig& config, const CorpusPlan& plan) {
  return {{"format", "speechleak-synth"},
          {"format_version", 1},
          {"speechleak_version", SPEECHLEAK_VERSION},
          {"espeak_ng_version", EspeakEngine::instance().version()},
          {"plan_fingerprint", plan_fingerprint(plan)},
          {"config", config.to_json()}};
}

}  // namespace

json run_identity(const SynthConfig& config) { return identity_of(config, plan_corpus(config)); }

SynthSummary generate_corpus(const fs::path& out_arg, const SynthConfig& config, const ProgressCallback& progress) {
  const fs::path out = out_arg.filename().empty() ? out_arg.parent_path() : out_arg;
  const CorpusPlan plan = plan_corpus(config);  // validates
  const json identity = identity_of(config, plan);
  SynthSummary summary;
  summary.root = out;
  summary.utterances = plan.utterance_count();
  if (check_output(out, identity)) {
    summary.already_complete = true;
    summary.audio_s = read_json(out / kMarker)->value("audio_s", 0.0);
    return summary;
  }
  const fs::path partial = out.string() + ".partial";
  if (auto marker = read_json(partial / kMarker); marker && same_identity(*marker, identity)) {
    // Interrupted between writing the marker and the rename: only the rename is left.
    finish(partial, out, *marker);
    summary.audio_s = marker->value("audio_s", 0.0);
    return summary;
  }
  const bool resuming = prepare_partial(partial, identity);

  RecordMap records;
  Progress p{"synthesise", 0, static_cast<int64_t>(summary.utterances), 0.0, "s audio", 0};
  if (progress) progress(p);
  for (const auto& ch : plan.chapters) {
    if (resuming && load_chapter_state(state_file(partial, ch), ch, records)) {
      ++summary.chapters_resumed;
    } else {
      synthesise_chapter(partial, ch, records);
      ++summary.chapters_synthesised;
    }
    p.done += static_cast<int64_t>(ch.utterances.size());
    for (const auto& u : ch.utterances) p.work_done += records.at(u.id).duration_s;
    if (progress) progress(p);
  }
  if (resuming) log_info("resumed " + partial.string() + ": " + std::to_string(summary.chapters_resumed) + " of " +
                         std::to_string(plan.chapters.size()) + " chapters were already done");
  write_corpus_files(partial, plan, records, EspeakEngine::instance().version());
  const json marker = finished_marker(identity, plan, records);
  finish(partial, out, marker);
  summary.audio_s = marker["audio_s"].get<double>();
  return summary;
}

}  // namespace speechleak::synth
