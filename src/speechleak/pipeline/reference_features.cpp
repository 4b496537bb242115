#include "speechleak/pipeline/reference_features.h"

#include <map>

#include "speechleak/encoder/encoder.h"
#include "speechleak/features/feature_store.h"
#include "speechleak/train/pretext_signal.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::pipeline {
namespace fs = std::filesystem;

PretextPlan plan_pretext_signal(const audit::AuditConfig& config, const std::string& model_path,
                                const references::ReferenceSet* refs) {
  bool calibrated = false, loss = false;
  for (const auto& a : config.attacks) calibrated = calibrated || audit::needs_references(a), loss = loss || a == "loss";
  auto refuse = [](const std::string& option, const fs::path& m) {
    return invalid_argument(option, "models speechleak pretrained, with pretrain_config.json, "
                                    "pretraining_head.safetensors and targets.safetensors",
                            m.string() + " lacks them");
  };
  if (loss && !train::has_pretext_head(model_path)) throw refuse("--attack loss", model_path);
  PretextPlan plan;
  if (calibrated && refs && config.calibrated.signal != "basic") {
    plan.references = true;
    std::vector<fs::path> models{model_path};
    for (size_t r = 0; r < refs->runs(); ++r)
      if (refs->finished(r)) models.push_back(refs->run_dir(r));
    for (const auto& m : models)
      if (!train::has_pretext_head(m)) {
        if (config.calibrated.signal == "pretext") throw refuse("--signal pretext", m);
        plan.references = false;  // auto: the basic signal
        break;
      }
  }
  plan.target = loss || plan.references;
  return plan;
}

std::unique_ptr<features::UtteranceSignal> make_pretext_signal(const fs::path& model_dir, const fs::path& target_dir,
                                                               uint64_t seed) {
  train::PretextSignalConfig c;
  c.seed = seed;
  c.masking = train::pretext_masking(target_dir);
  return std::make_unique<train::PretextSignal>(model_dir, c);
}

namespace {

struct StoredItem {
  std::string utt_id, speaker_id;
};

std::vector<StoredItem> stored_items(const std::vector<RoleInput>& roles) {
  std::vector<StoredItem> out;
  for (const auto& role : roles) {
    features::StoreReader reader(role.store);
    for (const auto& r : reader.records())
      out.push_back({r.utt_id, r.meta.count("speaker_id") ? r.meta.at("speaker_id") : ""});
  }
  return out;
}

}  // namespace

ReferenceExtraction extract_references(const references::ReferenceSet& refs, const std::vector<RoleInput>& roles,
                                       const encoder::Encoder& target, const std::string& target_path,
                                       const fs::path& run_dir, const audit::AuditConfig& config, bool reverse_audio,
                                       bool pretext, const ProgressCallback& progress) {
  ReferenceExtraction out;
  const auto items = stored_items(roles);
  for (size_t run = 0; run < refs.runs(); ++run) {
    const auto dir = refs.run_dir(run);
    const std::string name = dir.filename().string();
    if (!refs.finished(run)) {
      out.warnings.push_back("reference run " + name + " (" + dir.string() + ") is not finished: left out");
      continue;
    }
    encoder::EncoderOptions eo;
    eo.device = target.metadata().device;
    eo.precision = target.metadata().precision;
    auto enc = encoder::load_encoder(dir, eo);
    if (enc->metadata().architecture != target.metadata().architecture)
      throw invalid_argument("reference run " + dir.string(),
                             "the target's architecture (" + target.metadata().architecture + ")",
                             enc->metadata().architecture);
    auto signal = pretext ? make_pretext_signal(dir, target_path, config.seed) : nullptr;
    audit::ReferenceInputs in;
    in.name = name;
    in.speaker_keep = refs.keep().unit == references::Unit::Speaker;
    std::map<std::string, fs::path> stores;
    for (const auto& role : roles) {
      RoleInput r{role.name, role.input, {}, 0};
      extract_role(r, *enc, run_dir / "references" / name, config, reverse_audio, progress, signal.get());
      stores[role.name] = r.store;
    }
    in.members = stores.at("members"), in.nonmembers = stores.at("nonmembers"), in.aux = stores.at("aux");
    for (const auto& item : items) {
      if (refs.trained_on_utterance(run, item.utt_id)) in.trained_utterances.insert(item.utt_id);
      if (in.speaker_keep && refs.trained_on_speaker(run, item.speaker_id)) in.trained_speakers.insert(item.speaker_id);
    }
    log_info("reference " + name + ": trained on " + std::to_string(in.trained_utterances.size()) + " of the " +
             std::to_string(items.size()) + " audited utterances");
    out.inputs.push_back(std::move(in));
  }
  return out;
}

}  // namespace speechleak::pipeline
