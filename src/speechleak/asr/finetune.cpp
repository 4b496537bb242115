#include "speechleak/asr/finetune.h"

#include <chrono>
#include <fstream>
#include <optional>

#include "speechleak/asr/recognise.h"
#include "speechleak/corpus/load.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/runtime/process_group.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/train/metadata.h"
#include "speechleak/train/run_directory.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/random.h"
#include "speechleak/util/text.h"

namespace speechleak::asr {

namespace fs = std::filesystem;
using nlohmann::json;

bool better_dev_result(const DevResult& a, const DevResult& b) {
  if (a.words.errors() * b.words.reference != b.words.errors() * a.words.reference) return a.wer() < b.wer();
  if (a.cer() != b.cer()) return a.cer() < b.cer();
  return a.step < b.step;
}

namespace {

constexpr char kDevHeader[] =
    "step,epoch,wer,cer,words,word_sub,word_del,word_ins,chars,char_sub,char_del,char_ins,utterances,seconds\n";

encoder::LoadedHfModel load_pretrained(const std::string& path) {
  if (encoder::detect_checkpoint_kind(path) != encoder::CheckpointKind::HfDirectory)
    throw invalid_argument("--model", "an HF model directory (config.json + model.safetensors): a TorchScript "
                                      "module cannot be fine-tuned",
                           "'" + path + "'");
  return encoder::load_hf_directory(path);
}

std::string directory_fingerprint(const fs::path& dir) {
  return text::hex64(hash_files(dir, {"config.json", "model.safetensors"}, fnv1a64("model-directory")));
}

// The labelled training set: every utterance of the spec with a transcript, none longer than --max-seconds (whole
// utterances are trained on: the bound keeps a batch's memory in check).
train::TrainingSet load_set(const std::string& spec_text, const FinetuneConfig& c, const ProgressCallback& progress) {
  const auto spec = corpus::CorpusSpec::parse(spec_text);
  auto set = train::load_training_set(corpus::load_corpus(spec, progress), c, nullptr, corpus::audio_policy(spec),
                                      progress);
  std::vector<train::TrainUtterance> kept;
  for (auto& u : set.utterances) {
    const double s = static_cast<double>(u.audio.numel()) / 16000.0;
    if (s > c.data.max_seconds) {
      set.report.skipped.add(u.id, "", "longer than --max-seconds: " + text::fixed(s, 2) + " s > " +
                                           text::general(c.data.max_seconds) + " s");
      set.report.audio_seconds -= s;
    } else {
      kept.push_back(std::move(u));
    }
  }
  set.utterances = std::move(kept);
  set.report.used = set.utterances.size();
  if (set.utterances.empty()) throw Error("no usable utterances in " + spec_text + ": " +
                                          set.report.skipped.summary(0, "utterances", "loaded"));
  return set;
}

DevResult evaluate(CtcModel& model, const train::TrainingSet& dev, bool do_normalize, int beam) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::span<const float>> waves;
  for (const auto& u : dev.utterances)
    waves.emplace_back(u.audio.data_ptr<float>(), static_cast<size_t>(u.audio.numel()));
  DecodeOptions decode;
  decode.beam = beam;
  auto out = recognise_batched(model, waves, do_normalize, decode);
  ErrorTally tally;
  for (size_t i = 0; i < waves.size(); ++i) {
    const auto& u = dev.utterances[i];
    if (!out.results[i]) throw Error("--dev utterance " + u.id + ": " + out.errors[i]);
    tally.add(u.speaker_id, u.transcript.value_or(""), out.results[i]->hypothesis);
  }
  DevResult r;
  r.words = tally.overall.words;
  r.characters = tally.overall.characters;
  r.utterances = tally.overall.utterances;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::string dev_row(const DevResult& r) {
  std::string row;
  auto field = [&row](const std::string& f) {
    if (!row.empty()) row += ',';
    row += f;
  };
  field(std::to_string(r.step));
  field(std::to_string(r.epoch));
  field(text::fixed(r.wer(), 6));
  field(text::fixed(r.cer(), 6));
  for (const auto* e : {&r.words, &r.characters})
    for (size_t n : {e->reference, e->substitutions, e->deletions, e->insertions}) field(std::to_string(n));
  field(std::to_string(r.utterances));
  field(text::fixed(r.seconds, 3));
  return row + "\n";
}

// The evaluations a resumed run already made (dev_log.csv after prepare_train_log kept the checkpoint's rows).
std::vector<DevResult> read_dev_log(const fs::path& path) {
  std::vector<DevResult> out;
  if (!fs::exists(path)) return out;
  const auto lines = read_lines(path);
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = text::split(lines[i], ',');
    const std::string what = path.string() + " line " + std::to_string(i + 1);
    if (f.size() != 14) throw FormatError(path, "line " + std::to_string(i + 1) + ": expected 14 fields, got " +
                                                    std::to_string(f.size()));
    auto count = [&](size_t k) { return static_cast<size_t>(text::parse_int(f[k], what)); };
    DevResult r;
    r.step = text::parse_int(f[0], what);
    r.epoch = static_cast<int>(text::parse_int(f[1], what));
    size_t k = 4;
    for (auto* e : {&r.words, &r.characters}) {
      e->reference = count(k++);
      e->substitutions = count(k++);
      e->deletions = count(k++);
      e->insertions = count(k++);
    }
    r.utterances = count(12);
    r.seconds = text::parse_double(f[13], what);
    out.push_back(r);
  }
  return out;
}

// Copies the files of `from` into `to`, each through a temporary name and a rename.
void copy_model_files(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    if (!e.is_regular_file()) continue;
    const auto tmp = to / (e.path().filename().string() + ".tmp-copy");
    fs::copy_file(e.path(), tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, to / e.path().filename());
  }
}

// Writes the model into `dir` whole: into "<dir>.partial", then renamed over `dir`.
void save_model_dir(CtcModel& model, const fs::path& dir, bool do_normalize) {
  auto partial = dir;
  partial += ".partial";
  fs::remove_all(partial);
  save_ctc_directory(model, partial, do_normalize);
  fs::remove_all(dir);
  fs::rename(partial, dir);
}

json dev_json(const DevResult& r) {
  return {{"step", r.step},           {"epoch", r.epoch},
          {"wer", r.wer()},           {"cer", r.cer()},
          {"word_errors", r.words.errors()}, {"words", r.words.reference},
          {"char_errors", r.characters.errors()}, {"chars", r.characters.reference},
          {"utterances", r.utterances}};
}

json finetuning_metadata(const FinetuneConfig& c, const FinetuneResult& r, const CtcObjective& objective,
                         const std::string& fingerprint, const std::string& command_line) {
  json j;
  j["versions"] = runtime::versions_json();
  j["command"] = command_line;
  const json section = objective.metadata();
  for (const auto& [k, v] : section.items()) j[k] = v;
  j["pretrained"] = {{"path", c.pretrained}, {"fingerprint", fingerprint},
                     {"normalization", c.data.normalization}, {"parameters", c.model.parameter_count()}};
  j["data"] = {{"corpus", c.corpus},
               {"corpus_utterances", r.data.corpus_utterances},
               {"utterances", r.data.used},
               {"speakers", r.data.speakers},
               {"audio_seconds", r.data.audio_seconds},
               {"skipped", r.data.skipped.size() + r.labels.skipped.size()},
               {"skipped_by_reason", [&] {
                  json s = json::object();
                  SkipReport all = r.data.skipped;
                  all.append(r.labels.skipped);
                  for (const auto& [reason, n] : all.counts_by_reason()) s[reason] = n;
                  return s;
                }()},
               {"unknown_characters", r.labels.unknown_characters},
               {"oov", c.oov},
               {"members_file", "members.tsv"}};
  json evals = json::array();
  for (const auto& d : r.dev) evals.push_back(dev_json(d));
  j["dev"] = {{"corpus", c.dev}, {"utterances", r.dev_utterances}, {"evaluations", evals},
              {"decoding", c.eval_beam > 0 ? "prefix beam " + std::to_string(c.eval_beam) : "greedy"},
              {"best", r.best ? dev_json(*r.best) : json(nullptr)},
              {"selection", "lowest WER, then CER, then the earlier evaluation"}};
  j["model"] = r.best ? "best dev evaluation (epoch " + std::to_string(r.best->epoch) + ")" : std::string("last step");
  j["training"] = {{"epochs", c.epochs},
                   {"steps", r.position.step},
                   {"total_steps", r.total_steps},
                   {"finished", r.finished},
                   {"wall_seconds", r.position.elapsed_s},
                   {"audio_seconds_seen", r.position.audio_seconds},
                   {"audio_seconds_per_second",
                    r.position.elapsed_s > 0 ? r.position.audio_seconds / r.position.elapsed_s : 0},
                   {"final", {{"step", r.last.step}, {"loss", r.last.loss}}}};
  j["seeds"] = {{"seed", c.seed},
                {"streams", {"init", "order/<epoch>", "mask/<epoch>/<utt>", "channel-mask/<epoch>/<utt>",
                             "step/<n>"}},
                {"rule", "derive_seed(seed, stream) (util/random.h)"}};
  return j;
}

FinetuneConfig resolve_config(const FinetuneConfig& given, const encoder::LoadedHfModel& pretrained) {
  // The encoder's shape and input normalisation are the pretrained model's.
  FinetuneConfig c = given;
  c.model = pretrained.model->config();
  c.arch = "pretrained";
  c.data.normalization = pretrained.do_normalize ? "zero-mean-unit-var" : "none";
  c.validate();
  return c;
}

// The labelled training set, with its counts in `result` and its skips logged.
train::TrainingSet load_training_data(const FinetuneConfig& c, const Vocabulary& vocabulary, FinetuneResult& result,
                                      const ProgressCallback& progress) {
  auto set = load_set(c.corpus, c, progress);
  result.labels = attach_transcript_labels(set, vocabulary, parse_oov_policy(c.oov));
  if (set.utterances.empty())
    throw Error("no utterance of " + c.corpus + " has a transcript to train on: " +
                result.labels.skipped.summary(0, "utterances", "labelled"));
  set.report.used = set.utterances.size();
  if (!set.report.skipped.empty()) log_warn(set.report.skipped.summary(set.report.used, "utterances", "loaded"));
  if (!result.labels.skipped.empty())
    log_warn(result.labels.skipped.summary(result.labels.labelled, "utterances", "labelled"));
  if (result.labels.unknown_characters > 0)
    log_warn(std::to_string(result.labels.unknown_characters) + " transcript characters are not in the vocabulary (" +
             (c.oov == "unk" ? "mapped to [UNK]" : "dropped") + ")");
  return set;
}

// The dev set's utterances that have a transcript (none without --dev).
std::optional<train::TrainingSet> load_dev(const FinetuneConfig& c, FinetuneResult& result,
                                           const ProgressCallback& progress) {
  if (c.dev.empty()) return std::nullopt;
  auto dev = load_set(c.dev, c, progress);
  std::vector<train::TrainUtterance> scored;
  for (auto& u : dev.utterances)
    if (u.transcript) scored.push_back(std::move(u));
  if (scored.empty()) throw Error("--dev " + c.dev + ": no utterance has a transcript to score against");
  if (!dev.report.skipped.empty()) log_warn("--dev: " + dev.report.skipped.summary(scored.size(), "utterances", "loaded"));
  dev.utterances = std::move(scored);
  result.dev_utterances = dev.utterances.size();
  return dev;
}

// OUT's recogniser files: the best-dev model at the top and the last one in last/ when they differ (the best one
// waits in best/ until the run has finished).
void write_models(CtcModel& last, const fs::path& out, const FinetuneResult& r, bool do_normalize) {
  if (!r.best || r.best->step == r.position.step) {
    save_ctc_directory(last, out, do_normalize);
    fs::remove_all(out / "last");
  } else {
    save_model_dir(last, out / "last", do_normalize);
    if (fs::exists(out / "best")) copy_model_files(out / "best", out);  // else a finished session copied it already
  }
  if (r.finished) fs::remove_all(out / "best");  // a run stopped by --max-steps keeps it for its resume
}

}  // namespace

FinetuneResult run_finetuning(const FinetuneConfig& given, const fs::path& out, const FinetuneOptions& options) {
  given.validate();
  auto pretrained = load_pretrained(given.pretrained);
  const FinetuneConfig c = resolve_config(given, pretrained);
  const auto resolved = c.to_json();
  const bool writer = !options.group || options.group->rank() == 0;
  if (writer)
    train::prepare_run_directory(
        out, "finetune_config.json", resolved, options.resume,
        [&](const json& stored) {
          return train::json_differences(FinetuneConfig::from_json(stored, "finetune_config.json").to_json(),
                                         resolved, train::resume_free_paths());
        },
        "fine-tuning");
  const bool do_normalize = pretrained.do_normalize;
  const auto vocabulary = Vocabulary::characters();
  FinetuneResult result;
  result.out = out;
  auto set = load_training_data(c, vocabulary, result, options.progress);
  const auto dev = load_dev(c, result, options.progress);

  auto objective = std::make_unique<CtcObjective>(c.ctc, vocabulary, c.seed);
  CtcObjective& ctc = *objective;
  train::Trainer trainer(c, set, std::move(objective), pretrained.model);
  const bool resumed = options.resume && trainer.resume_latest(out);
  trainer.distribute(options.group);
  std::optional<train::TrainLogFile> log;
  const auto dev_path = out / "dev_log.csv";
  AppendFile dev_file;
  if (writer) {
    log.emplace(out / "train_log.csv", trainer, c.log_every, resumed);
    train::prepare_train_log(dev_path, kDevHeader, trainer.position().step, resumed);
    result.dev = read_dev_log(dev_path);
    dev_file = AppendFile(dev_path);
  }
  for (const auto& d : result.dev)
    if (!result.best || better_dev_result(d, *result.best)) result.best = d;

  CtcModel view(trainer.model(), vocabulary, c.ctc.final_dropout, ctc.lm_head());  // the model being trained
  train::TrainerHooks hooks;
  hooks.stage = "finetune";
  hooks.progress = options.progress;
  hooks.on_step = [&](const train::StepLog& s) {
    result.last = s;
    if (log) log->add(s);
    if (options.on_step) options.on_step(s);
  };
  hooks.on_epoch_end = [&](int epoch) {
    if (!writer || !dev || (epoch % c.eval_every_epochs != 0 && epoch != c.epochs)) return;
    auto r = evaluate(view, *dev, do_normalize, c.eval_beam);
    r.step = trainer.position().step;
    r.epoch = epoch;
    dev_file.write(dev_row(r));
    result.dev.push_back(r);
    if (!result.best || better_dev_result(r, *result.best)) {
      result.best = r;
      save_model_dir(view, out / "best", do_normalize);
    }
    if (options.on_dev) options.on_dev(r);
  };
  result.position = trainer.run(out, hooks);
  result.data = set.report;
  result.total_steps = trainer.total_steps();
  result.finished = result.position.epoch >= c.epochs;
  if (!writer) return result;
  dev_file.close();
  write_models(view, out, result, do_normalize);
  train::write_members(out / "members.tsv", set);
  result.metadata = finetuning_metadata(c, result, ctc, directory_fingerprint(c.pretrained), options.command_line);
  write_text_file_atomically(out / "speechleak_finetuning.json", result.metadata.dump(2) + "\n");
  return result;
}

}  // namespace speechleak::asr
