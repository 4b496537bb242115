#include <type_traits>

#include "speechleak/demo/demo_record.h"

#include <sstream>

#include "speechleak/attack/trainer.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"

namespace speechleak::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A shell word: as is when it has only harmless characters, else single-quoted.
std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%") ==
                        std::string::npos)
    return s;
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string str(double v) { return text::general(v); }
template <typename Int>
  requires std::is_integral_v<Int>
std::string str(Int v) {
  return std::to_string(v);
}

// The attacker-training flags of `speechleak audit` (--utterance-lr, ...) for the settings that differ from the
// defaults the command starts from.
std::string train_flags(const std::string& prefix, const attack::TrainConfig& t) {
  const attack::TrainConfig d;
  std::string out;
  if (t.learning_rate != d.learning_rate) out += " --" + prefix + "-lr " + str(t.learning_rate);
  if (t.max_epochs != d.max_epochs) out += " --" + prefix + "-epochs " + str(t.max_epochs);
  if (t.patience != d.patience) out += " --" + prefix + "-patience " + str(t.patience);
  if (t.batch_size != d.batch_size) out += " --" + prefix + "-batch " + str(t.batch_size);
  return out;
}

}  // namespace

json results_json(const audit::AuditResult& r) {
  json out = json::array();
  for (const auto& a : r.results)
    out.push_back({{"level", a.level}, {"attack", a.attack}, {"direction", to_string(a.direction)}, {"auc", a.metrics.auc},
                   {"tpr_at_1pct_fpr", a.metrics.one_fpr}, {"tpr_at_0.1pct_fpr", a.metrics.one_tenth_fpr},
                   {"n_members", a.metrics.n_members}, {"n_nonmembers", a.metrics.n_nonmembers}});
  return out;
}

std::string split_spec(const fs::path& corpus, const std::string& split) {
  return "librispeech:" + corpus.string() + ":" + split;
}

std::string audit_command(const audit::AuditConfig& c, const fs::path& model, const fs::path& corpus,
                          const fs::path& out, bool reverse_audio, const std::string& device,
                          const std::string& members) {
  // `speechleak audit --seed S` sets the attackers' seeds to S and S+1 and the bootstrap's to S: other seeds
  // cannot be typed, so the command would not repeat the numbers.
  if (c.improved_utterance.train.seed != c.seed || c.improved_speaker.train.seed != c.seed + 1 ||
      c.metrics.seed != c.seed)
    log_warn("the demo's audit seeds do not follow --seed; `speechleak audit` will not repeat its numbers exactly");
  const audit::AuditConfig d;
  std::string cmd = "speechleak audit --model " + shell_word(model.string()) + " --members " +
                    shell_word(members.empty() ? split_spec(corpus, "pretrain") : members) + " --nonmembers " +
                    shell_word(split_spec(corpus, "heldout")) + " --aux " + shell_word(split_spec(corpus, "aux"));
  if (c.levels.size() == 1) cmd += " --level " + c.levels[0];
  if (c.attacks.size() == 1) cmd += " --attack " + c.attacks[0];
  if (c.layer >= 0) cmd += " --layer " + str(c.layer);
  if (c.distance != d.distance) cmd += " --distance " + audit::to_string(c.distance);
  cmd += " --direction " + c.direction_option();
  if (c.calibrate_direction) cmd += " --calibration-speakers " + str(c.calibration_speakers);
  if (c.max_utts_per_speaker > 0) cmd += " --max-utts-per-speaker " + str(c.max_utts_per_speaker);
  cmd += " --k-utterance " + str(c.improved_utterance.k) + " --k-speaker " + str(c.improved_speaker.k);
  cmd += train_flags("utterance", c.improved_utterance.train) + train_flags("speaker", c.improved_speaker.train);
  cmd += " --bootstrap " + str(c.metrics.bootstrap_replicates) + " --seed " + str(c.seed);
  if (reverse_audio) cmd += " --reverse-audio";
  if (device != "cpu") cmd += " --device " + shell_word(device);
  return cmd + " --out " + shell_word(out.string());
}

json demo_record(const DemoPreset& p, const train::PretrainConfig& pretrain, const DemoResult& r,
                 const std::string& command_line) {
  const auto& a = p.audit;
  return {{"format", "speechleak-demo"},
          {"format_version", 1},
          {"command", command_line},
          {"preset", {{"name", p.name}, {"description", p.description}}},
          {"variant", {{"tag", r.variant.tag()}, {"defenses", r.variant.defenses},
                       {"attack_reverse_audio", r.variant.attack_reverse_audio},
                       {"objective", pretrain.objective}, {"arch", pretrain.arch},
                       {"extra_speakers", r.variant.extra_speakers}}},
          {"configs", {{"synth", p.synth.to_json()}, {"pretrain", pretrain.to_json()}, {"audit", a.to_json()},
                       {"noise_masking", p.noise_mask.to_json()}}},  // the recogniser's: its finetune_config.json
          {"seeds", {{"synth", p.synth.seed}, {"pretrain", pretrain.seed}, {"audit", a.seed},
                     {"improved_utterance", a.improved_utterance.train.seed},
                     {"improved_speaker", a.improved_speaker.train.seed}, {"bootstrap", a.metrics.seed},
                     {"finetune", p.finetune.seed}, {"noise_masking", p.noise_mask.seed}}},
          {"versions", runtime::versions_json()},
          {"timings_s", r.timings},
          {"reused", {{"corpus", r.corpus_reused}, {"model", r.model_reused}, {"recogniser", r.asr_reused}}},
          {"paths", {{"out", r.out.string()}, {"corpus", r.corpus_dir.string()}, {"model", r.model_dir.string()},
                     {"run", r.run_dir.string()}, {"summary", (r.run_dir / "summary.json").string()},
                     {"report", r.report.empty() ? json(nullptr) : json(r.report.string())},
                     {"recogniser", r.asr_dir.string()}, {"noise_masking", r.noise_masking_dir.string()}}},
          {"audit_command", r.audit_command},
          {"results", results_json(r.audit)},
          {"noise_masking", r.noise_masking}};
}

}  // namespace speechleak::demo
