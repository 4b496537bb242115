#include "speechleak/train/pretrain.h"

#include <optional>
#include <set>

#include "speechleak/corpus/load.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/runtime/process_group.h"
#include "speechleak/train/metadata.h"
#include "speechleak/train/pretraining_objective.h"
#include "speechleak/train/run_directory.h"
#include "speechleak/train/targets.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/random.h"
#include "speechleak/util/text.h"

namespace speechleak::train {

namespace fs = std::filesystem;

namespace {

TargetModel prepare_targets(const PretrainConfig& config, const TrainingSet& set, const fs::path& out, bool resume,
                            const ProgressCallback& progress) {
  const auto path = out / "targets.safetensors";
  if (resume && fs::exists(path)) return TargetModel::load(path);
  if (progress) progress(Progress{"targets", 0, 1, 0, "", 0});
  std::vector<at::Tensor> waves;
  std::vector<std::string> groups;
  for (const auto& u : set.utterances) {
    waves.push_back(u.audio);
    groups.push_back(target_group(u, config.hubert.kmeans.scope));
  }
  auto t = fit_targets(waves, groups, config.hubert.mfcc, config.hubert.kmeans, derive_seed(config.seed, "targets"));
  t.save(path);
  if (progress) progress(Progress{"targets", 1, 1, 0, "", 0});
  log_info("targets: k-means of " + std::to_string(config.hubert.mfcc.dims()) + "-dim MFCC frames into " +
           std::to_string(t.clusters()) + " classes (" + t.scope + " scope, " + std::to_string(t.iterations) +
           " iterations)");
  return t;
}

}  // namespace

std::vector<std::string> config_differences(const nlohmann::json& a, const nlohmann::json& b) {
  // Both sides as this version writes them: migrated, and with defaults for fields an older version lacked.
  auto canonical = [](const nlohmann::json& j) {
    try {
      return PretrainConfig::from_json(j, "pretrain_config.json").to_json();
    } catch (const Error&) {
      return migrate_pretrain_config(j);  // unreadable as a config: compared as it is
    }
  };
  return json_differences(canonical(a), canonical(b), resume_free_paths());
}

PretrainOptions reporting_options(ProgressCallback progress, std::string command_line) {
  PretrainOptions o;
  o.progress = std::move(progress);
  o.command_line = std::move(command_line);
  return o;
}

PretrainResult run_pretraining(const PretrainConfig& config, const fs::path& out, const PretrainOptions& options) {
  config.validate();
  const auto& group = options.group;
  const bool writer = !group || group->rank() == 0;
  if (writer)
    prepare_run_directory(out, "pretrain_config.json", config.to_json(), options.resume,
                          [&](const nlohmann::json& stored) {
                            if (!stored.contains("format_version"))
                              log_info((out / "pretrain_config.json").string() + " is a format-1 pretraining config: "
                                       "read as format " + std::to_string(kPretrainConfigVersion) +
                                       " (rewritten on resume)");
                            return config_differences(stored, config.to_json());
                          },
                          "pretraining");
  const auto spec = corpus::CorpusSpec::parse(config.corpus);
  auto corpus = corpus::load_corpus(spec, options.progress);
  std::optional<NameList> names;
  if (config.defenses.needs_names()) {
    names = NameList::load(resolve_names_file(config.defenses.names, spec));
    log_info("names: " + std::to_string(names->names.size()) + " names from " + names->source.string());
  }
  auto set = load_training_set(std::move(corpus), config, names ? &*names : nullptr, corpus::audio_policy(spec),
                               options.progress);
  if (!set.report.skipped.empty())
    log_warn(set.report.skipped.summary(set.report.used, "utterances", "loaded"));
  std::optional<TargetModel> targets;
  if (needs_frame_targets(config)) {
    // Rank 0 fits them (its wait counts against the group's timeout); the others read what it wrote.
    if (writer) targets = prepare_targets(config, set, out, options.resume, options.progress);
    if (group) group->barrier("k-means targets written");
    if (!writer) targets = TargetModel::load(out / "targets.safetensors");
    attach_labels(set, *targets);
  }
  Trainer trainer(config, set, make_pretraining_objective(config, targets ? &*targets : nullptr));
  const bool resumed = options.resume && trainer.resume_latest(out);
  trainer.distribute(group);
  std::optional<TrainLogFile> log;
  if (writer) log.emplace(out / "train_log.csv", trainer, config.log_every, resumed);
  PretrainResult result;
  TrainerHooks hooks;
  hooks.stage = "pretrain";
  hooks.progress = options.progress;
  hooks.on_step = [&](const StepLog& s) {
    result.last = s;
    if (log) log->add(s);
    if (options.on_step) options.on_step(s);
  };
  result.position = trainer.run(out, hooks);

  result.out = out;
  result.data = set.report;
  result.total_steps = trainer.total_steps();
  result.finished = result.position.epoch >= config.epochs;
  result.metadata = pretraining_metadata(config, result, trainer.objective(), names ? &*names : nullptr,
                                         options.command_line);
  if (group) result.metadata["training"]["processes"] = group->size();
  if (!writer) return result;
  encoder::save_hf_directory(trainer.model(), out, config.data.normalization == "zero-mean-unit-var",
                             trainer.objective().hf_config());
  encoder::save_tensors(out / "pretraining_head.safetensors", trainer.objective().head_tensors());
  write_members(out / "members.tsv", set);
  write_text_file_atomically(out / "speechleak_pretraining.json", result.metadata.dump(2) + "\n");
  return result;
}

}  // namespace speechleak::train
