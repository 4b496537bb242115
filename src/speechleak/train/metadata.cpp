#include "speechleak/train/metadata.h"

#include "speechleak/util/file_io.h"

namespace speechleak::train {

namespace {

nlohmann::json defenses_json(const PretrainConfig& c, const DatasetReport& d, const NameList* names) {
  const auto& def = c.defenses;
  nlohmann::json j;
  j["active"] = def.active();
  j["reverse_audio"] = {{"on", def.reverse_audio}, {"utterances_reversed", d.reversed}};
  j["noise_augment"] = {{"on", def.noise_augment}, {"probability", def.noise_prob},
                        {"snr_db", {def.snr_min_db, def.snr_max_db}}, {"noise_type", def.noise_type},
                        {"targets_from", "clean audio"}};
  j["silence_names"] = {{"on", def.silence_names},
                        {"utterances_silenced", d.silenced_utterances},
                        {"spans_silenced", d.silenced_spans},
                        {"seconds_silenced", d.silenced_seconds},
                        {"utterances_with_names_but_no_alignment", d.names_without_alignment}};
  j["sanitize_names"] = {{"on", def.sanitize_names}, {"utterances_dropped", d.sanitized_dropped}};
  j["names_file"] = names ? nlohmann::json(names->source.string()) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json training_json(const PretrainConfig& c, const PretrainResult& r) {
  nlohmann::json final = {{"step", r.last.step}, {"loss", r.last.loss}};
  for (const auto& [k, v] : r.last.metrics) final[k] = v;
  return {{"epochs", c.epochs},
          {"steps", r.position.step},
          {"total_steps", r.total_steps},
          {"finished", r.finished},
          {"wall_seconds", r.position.elapsed_s},
          {"audio_seconds_seen", r.position.audio_seconds},
          {"audio_seconds_per_second", r.position.elapsed_s > 0 ? r.position.audio_seconds / r.position.elapsed_s : 0},
          {"final", final}};
}

}  // namespace

nlohmann::json pretraining_metadata(const PretrainConfig& c, const PretrainResult& r, const Objective& objective,
                                    const NameList* names, const std::string& command_line) {
  nlohmann::json j;
  j["speechleak_version"] = SPEECHLEAK_VERSION;
  j["command"] = command_line;
  // A named copy: a range-for over a temporary's items() would iterate a destroyed object (before C++23).
  const nlohmann::json section = objective.metadata();
  for (const auto& [k, v] : section.items()) j[k] = v;
  j["defenses"] = defenses_json(c, r.data, names);
  j["data"] = {{"corpus", c.corpus},
               {"corpus_utterances", r.data.corpus_utterances},
               {"utterances", r.data.used},
               {"speakers", r.data.speakers},
               {"audio_seconds", r.data.audio_seconds},
               {"skipped", r.data.skipped.size()},
               {"members_file", "members.tsv"}};
  j["model"] = {{"arch", c.arch}, {"parameters", c.model.parameter_count()}, {"config", c.model.to_string()}};
  j["training"] = training_json(c, r);
  std::vector<std::string> streams = {"init", "order/<epoch>", "crop/<epoch>/<utt>", "noise/<epoch>/<utt>",
                                      "mask/<epoch>/<utt>"};
  if (c.objective == "hubert") streams.insert(streams.begin() + 1, "targets");
  if (c.objective == "wav2vec2") streams.insert(streams.end(), {"negatives/<epoch>/<utt>", "gumbel/<epoch>/<utt>"});
  if (c.objective == "tera") streams.insert(streams.end(), "tera/<epoch>/<utt>");
  j["seeds"] = {{"seed", c.seed}, {"streams", streams}, {"rule", "derive_seed(seed, stream) (util/random.h)"}};
  return j;
}

void write_members(const std::filesystem::path& path, const TrainingSet& set) {
  std::string s = "utt_id\tspeaker_id\n";
  for (const auto& u : set.utterances) s += u.id + "\t" + u.speaker_id + "\n";
  write_text_file_atomically(path, s);
}

}  // namespace speechleak::train
