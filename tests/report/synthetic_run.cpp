#include "report/synthetic_run.h"

#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "speechleak/metrics/roc.h"
#include "speechleak/metrics/summary.h"
#include "support/test_support.h"

namespace speechleak::report::testing {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Item {
  std::string id;
  std::string speaker;
  int member = 0;
  double score = 0;
};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

json write_level(const fs::path& dir, const std::string& level, const std::string& attack,
                 const std::vector<Item>& items, bool low_direction, uint64_t seed) {
  std::vector<double> scores;
  std::vector<int> labels;
  for (const Item& it : items) scores.push_back(it.score), labels.push_back(it.member);
  metrics::MetricsConfig config;
  config.bootstrap_replicates = 200;
  config.seed = seed;
  const metrics::MetricsSummary summary = metrics::summarize(scores, labels, config);
  std::ostringstream roc;
  metrics::write_roc_csv(roc, metrics::roc_curve(scores, labels));
  speechleak::testing::write_text(dir / "roc" / (level + "-" + attack + ".csv"), roc.str());
  return {{"level", level}, {"attack", attack}, {"layer", attack == "basic" ? json(12) : json(nullptr)},
          {"direction", low_direction ? "low" : "high"},
          {"direction_source", low_direction ? "calibrated on 40 labelled items" : "default (paper)"},
          {"metrics", metrics::to_json(summary)}};
}

void write_utterance_scores(const fs::path& file, const std::vector<Item>& utts) {
  std::string text = "utt_id,speaker_id,subset,member,score,raw_score\n";
  for (const Item& u : utts)
    text += csv_field(u.id) + "," + csv_field(u.speaker) + "," + (u.member ? "train-clean-100" : "test-clean") +
            "," + std::to_string(u.member) + "," + std::to_string(u.score) + "," + std::to_string(-u.score) + "\n";
  speechleak::testing::write_text(file, text);
}

void write_speaker_scores(const fs::path& file, const std::vector<Item>& speakers, size_t n_utts) {
  std::string text = "speaker_id,n_utts,member,score\n";
  for (const Item& s : speakers)
    text += csv_field(s.speaker) + "," + std::to_string(n_utts) + "," + std::to_string(s.member) + "," +
            std::to_string(s.score) + "\n";
  speechleak::testing::write_text(file, text);
}

json config_json(const SyntheticRun& spec) {
  const size_t n_members = spec.member_speakers * spec.utts_per_speaker;
  const size_t n_nonmembers = spec.nonmember_speakers * spec.utts_per_speaker;
  return {{"command", "speechleak audit --model models/" + spec.name + " --members librispeech:train-clean-100"},
          {"seeds", {{"global", spec.seed}, {"bootstrap", spec.seed}, {"attacker", spec.seed + 7}}},
          {"model", {{"path", "models/" + spec.name}, {"fingerprint", "sha256:3f2a9c0d" + std::to_string(spec.seed)}}},
          {"corpora",
           {{"members", {{"spec", "librispeech:/data/LibriSpeech?subset=train-clean-100"},
                         {"speakers", spec.member_speakers}, {"utterances", n_members}}},
            {"nonmembers", {{"spec", "librispeech:/data/LibriSpeech?subset=test-clean"},
                            {"speakers", spec.nonmember_speakers}, {"utterances", n_nonmembers}}},
            {"aux", {{"spec", "librispeech:/data/LibriSpeech?subset=dev-clean"}, {"speakers", 10}}}}},
          {"attack", {{"basic", {{"layer", 12}}}, {"improved", {{"epochs", 20}, {"lr", 0.001}}}}},
          {"versions", {{"speechleak", "0.1.0"}, {"libtorch", "2.1.2"}}}};
}

}  // namespace

void write_synthetic_run(const fs::path& dir, const SyntheticRun& spec) {
  std::mt19937_64 rng(spec.seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  json results = json::array();
  for (const std::string attack : {"basic", "improved"}) {
    const double shift = spec.separation * (attack == "basic" ? 1.0 : 1.6);
    std::vector<Item> utts, speakers;
    const size_t n_speakers = spec.member_speakers + spec.nonmember_speakers;
    for (size_t s = 0; s < n_speakers; ++s) {
      const int member = s < spec.member_speakers ? 1 : 0;
      std::string speaker = std::to_string(100 + s);
      if (member && s < spec.special_speaker_ids.size()) speaker = spec.special_speaker_ids[s];
      // Speakers differ in how much they leak; the special ones leak most, so they top the speaker table.
      const double speaker_effect = member * shift * (s < spec.special_speaker_ids.size() ? 4.0 : 1.0 + 0.5 * noise(rng));
      double sum = 0;
      for (size_t u = 0; u < spec.utts_per_speaker; ++u) {
        const double score = speaker_effect + noise(rng);
        utts.push_back({speaker + "-1-" + std::to_string(u), speaker, member, score});
        sum += score;
      }
      speakers.push_back({speaker, speaker, member, sum / spec.utts_per_speaker});
    }
    const bool low = spec.low_direction_for_improved && attack == "improved";
    results.push_back(write_level(dir, "utterance", attack, utts, low, spec.seed));
    results.push_back(write_level(dir, "speaker", attack, speakers, low, spec.seed));
    write_utterance_scores(dir / "scores" / ("utterance-" + attack + ".csv"), utts);
    write_speaker_scores(dir / "scores" / ("speaker-" + attack + ".csv"), speakers, spec.utts_per_speaker);
  }
  const json summary = {
      {"speechleak_version", "0.1.0"},
      {"run_name", spec.name},
      {"model", {{"path", "models/" + spec.name}, {"fingerprint", "sha256:3f2a9c0d" + std::to_string(spec.seed)},
                 {"description", "HuBERT base, 12 layers (synthetic test run)"}}},
      {"results", results},
      {"warnings", spec.warnings}};
  speechleak::testing::write_text(dir / "summary.json", summary.dump(2));
  speechleak::testing::write_text(dir / "config.json", config_json(spec).dump(2));
}

}  // namespace speechleak::report::testing
