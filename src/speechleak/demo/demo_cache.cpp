#include "speechleak/demo/demo_cache.h"

#include <cstdio>
#include <set>

#include "speechleak/asr/finetune.h"
#include "speechleak/corpus/load.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/demo/demo_record.h"
#include "speechleak/features/feature_store.h"
#include "speechleak/train/pretrain.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/random.h"
#include "speechleak/util/text.h"

namespace speechleak::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A JSON file that parses, or null (missing or damaged files just mean "not this corpus / not reusable").
json read_json_or_null(const fs::path& path) {
  if (!fs::exists(path)) return nullptr;
  try {
    return json::parse(read_text_file(path));
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Every key of `identity` has the same value in `found` (the finished marker adds counts to the identity).
bool has_identity(const json& found, const json& identity) {
  if (!found.is_object()) return false;
  for (const auto& [key, value] : identity.items())
    if (!found.contains(key) || found[key] != value) return false;
  return true;
}

// Whether synth::generate_corpus(dir, ...) would reuse, resume or start a corpus there rather than refuse.
// Mirrors the files generator.h documents: <dir>/synth.json when finished, <dir>.partial/synth.json between the
// last write and the rename, <dir>.partial/.synth-state/identity.json while building.
bool corpus_dir_usable(const fs::path& dir, const json& identity) {
  if (fs::exists(dir / "synth.json")) return has_identity(read_json_or_null(dir / "synth.json"), identity);
  if (fs::exists(dir) && !(fs::is_directory(dir) && fs::is_empty(dir))) return false;
  const fs::path partial = dir.string() + ".partial";
  if (fs::exists(partial / "synth.json")) return has_identity(read_json_or_null(partial / "synth.json"), identity);
  if (fs::exists(partial))
    return has_identity(read_json_or_null(partial / ".synth-state" / "identity.json"), identity);
  return true;
}

}  // namespace

std::string hash16(const std::string& text) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(text)));
  return buf;
}

fs::path corpus_dir_for(const fs::path& out, const json& identity) {
  const fs::path plain = out / "corpus";
  if (corpus_dir_usable(plain, identity)) return plain;
  const fs::path other = out / ("corpus-" + hash16(identity.dump()));
  log_info(plain.string() + " holds another corpus (another preset or version); using " + other.string());
  return other;
}

std::string model_hash(const train::PretrainConfig& config, const json& corpus_identity) {
  json j = config.to_json();
  j["corpus"] = "librispeech:<demo corpus>:pretrain";
  return hash16(j.dump() + "\n" + corpus_identity.dump());
}

ModelState model_state(const fs::path& dir) {
  const json meta = read_json_or_null(dir / "speechleak_pretraining.json");
  const bool finished = meta.is_object() && meta.contains("training") && meta["training"].value("finished", false);
  if (finished && fs::exists(dir / "config.json") && fs::exists(dir / "model.safetensors")) return ModelState::Finished;
  if (fs::exists(dir / "pretrain_config.json")) return ModelState::Interrupted;
  return ModelState::Absent;
}

void adopt_interrupted_run(const fs::path& dir, const train::PretrainConfig& config) {
  const fs::path path = dir / "pretrain_config.json";
  const json stored = read_json_or_null(path);
  if (stored.is_null())
    throw Error(path.string() + " is unreadable; delete " + dir.string() + " to train the demo model again");
  auto differences = train::config_differences(stored, config.to_json());
  std::erase(differences, std::string("corpus"));
  if (!differences.empty())
    throw Error(dir.string() + " holds an interrupted pretraining run with other options (" +
                text::join(differences, ", ") + "); delete it to train the demo model again");
  if (stored.value("corpus", "") != config.corpus) {
    log_info("the demo directory moved: resuming " + dir.string() + " on " + config.corpus);
    write_text_file_atomically(path, config.to_json().dump(2) + "\n");
  }
}

void discard_stale_store(const fs::path& dir, const features::StoreManifest& expected) {
  const fs::path manifest = dir / "store.json";
  if (!fs::exists(manifest)) return;
  std::vector<std::string> differences;
  try {
    differences = features::StoreManifest::from_json(read_text_file(manifest), manifest).differences(expected);
  } catch (const Error& e) {
    differences = {e.what()};
  }
  if (differences.empty()) return;
  log_info(dir.string() + " holds features of another model or corpus (" + differences.front() +
           "); extracting again");
  fs::remove_all(dir);
}

std::string members_spec(const fs::path& corpus_dir, const fs::path& model_dir, const fs::path& run_dir) {
  const std::string split = split_spec(corpus_dir, "pretrain");
  // The model's record says whether it trained on the whole split (the usual case: no corpus to read again).
  const json meta = read_json_or_null(model_dir / "speechleak_pretraining.json");
  const json data = meta.is_object() ? meta.value("data", json::object()) : json::object();
  if (data.contains("utterances") && data.value("utterances", 0) == data.value("corpus_utterances", -1)) return split;
  auto corpus = corpus::load_corpus(corpus::CorpusSpec::parse(split));
  const auto lines = read_lines(model_dir / "members.tsv");
  std::set<std::string> trained;
  for (size_t i = 1; i < lines.size(); ++i)  // header: utt_id, speaker_id
    if (!lines[i].empty()) trained.insert(text::split(lines[i], '\t').at(0));
  if (trained.empty()) throw FormatError(model_dir / "members.tsv", "no utterances (expected the trained ones)");
  if (trained.size() == corpus.utterances.size()) return split;
  std::erase_if(corpus.utterances, [&](const corpus::Utterance& u) { return !trained.count(u.id); });
  corpus.speakers.clear();  // finalize() adds back the speakers that still own utterances
  corpus.finalize();
  log_info("members: the " + std::to_string(corpus.utterances.size()) + " utterances the model trained on (" +
           (model_dir / "members.tsv").string() + "), not the whole pretrain split");
  const fs::path manifest = run_dir / "members-trained.tsv";
  fs::create_directories(run_dir);
  corpus::write_manifest(manifest, corpus);
  return "manifest:" + manifest.string();
}

bool train_or_reuse_model(const train::PretrainConfig& config, const fs::path& dir, const ProgressCallback& progress,
                          const std::string& command_line) {
  const auto state = model_state(dir);
  if (state == ModelState::Finished) {
    log_info("reusing the finished model in " + dir.string());
    return true;
  }
  if (state == ModelState::Interrupted) adopt_interrupted_run(dir, config);
  log_info("pretraining " + config.arch + " (" + std::to_string(config.model.parameter_count()) +
           " parameters) for " + std::to_string(config.epochs) + " epochs");
  train::PretrainOptions po;
  po.resume = state == ModelState::Interrupted;
  po.progress = progress;
  po.command_line = command_line;
  const auto result = train::run_pretraining(config, dir, po);
  if (!result.finished)  // no step limit is set; a partial model must not be attacked as the finished one
    throw Error("pretraining in " + dir.string() + " stopped before its last epoch; run the command again");
  return false;
}

fs::path make_recogniser(const asr::FinetuneConfig& config, const fs::path& model_dir, const ProgressCallback& progress,
                         const std::string& command_line, bool* reused) {
  auto keyed = config.to_json();
  keyed["pretrained"] = "<model>";  // the directory it lives in says which model; OUT may move
  keyed["corpus"] = "<corpus>";
  if (!config.dev.empty()) keyed["dev"] = "<dev>";  // a dev set of the same corpus; its path moves with OUT too
  const fs::path dir = model_dir / ("asr-" + hash16(keyed.dump()));
  *reused = fs::exists(dir / "speechleak_finetuning.json") && fs::exists(dir / "model.safetensors");
  if (*reused) {
    log_info("reusing the finished recogniser in " + dir.string());
    return dir;
  }
  asr::FinetuneOptions fo;
  fo.resume = fs::exists(dir / "finetune_config.json");
  fo.progress = progress;
  fo.command_line = command_line;
  const auto result = asr::run_finetuning(config, dir, fo);
  if (!result.finished)
    throw Error("fine-tuning in " + dir.string() + " stopped before its last epoch; run the command again");
  return dir;
}

}  // namespace speechleak::demo
