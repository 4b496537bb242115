#include "speechleak/demo/demo_cache.h"

#include <algorithm>
#include <cmath>
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

std::string model_hash(const train::PretrainConfig& config, const json& corpus_identity, const std::string& data) {
  json j = config.to_json();
  j["corpus"] = "librispeech:<demo corpus>:" + data;
  return hash16(j.dump() + "\n" + corpus_identity.dump());
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

std::string train_with_extra_speakers(train::PretrainConfig& config, const fs::path& corpus_dir, const fs::path& out,
                                      int extra) {
  if (!fs::is_directory(corpus_dir / "extra"))
    throw invalid_argument("extra speakers", "a corpus with an extra split (synth extra_speakers >= " +
                                                 std::to_string(extra) + ")", "none in " + corpus_dir.string());
  auto corpus = corpus::load_corpus(corpus::CorpusSpec::parse(split_spec(corpus_dir, "pretrain")));
  const size_t base = corpus.utterances.size();
  auto more = corpus::load_corpus(corpus::CorpusSpec::parse(split_spec(corpus_dir, "extra")));
  const auto ids = more.speaker_ids();
  if (static_cast<int>(ids.size()) < extra)
    throw invalid_argument("extra speakers", "at most the extra split's " + std::to_string(ids.size()),
                           std::to_string(extra));
  const std::set<std::string> chosen(ids.begin(), ids.begin() + extra);
  std::erase_if(more.utterances, [&](const corpus::Utterance& u) { return !chosen.count(u.speaker_id); });
  more.speakers.clear();  // finalize() adds back the speakers that still own utterances
  more.finalize();
  corpus.merge(more);
  const size_t total = corpus.utterances.size();
  const std::string data = "pretrain+extra-" + std::to_string(extra);
  const fs::path manifest = out / (data + ".tsv");
  fs::create_directories(out);
  corpus::write_manifest(manifest, corpus);
  config.corpus = "manifest:" + manifest.string();
  config.epochs = std::max(1, static_cast<int>(std::lround(config.epochs * static_cast<double>(base) / total)));
  log_info("pretraining data: the pretrain split's " + std::to_string(base) + " utterances and " +
           std::to_string(total - base) + " of " + std::to_string(extra) + " extra speakers, " +
           std::to_string(config.epochs) + " epochs");
  return data;
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
