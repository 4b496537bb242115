#include "speechleak/asr/finetune.h"

#include <chrono>
#include <fstream>

#include "speechleak/asr/recognise.h"
#include "speechleak/corpus/load.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/runtime/versions.h"
#include "speechleak/train/metadata.h"
#include "speechleak/train/run_directory.h"
#include "speechleak/util/batching.h"
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

constexpr char kDevHeader[] = "step,epoch,wer,cer,word_errors,words,char_errors,chars,utterances,seconds\n";

encoder::LoadedHfModel load_pretrained(const std::string& path) {
  if (encoder::detect_checkpoint_kind(path) != encoder::CheckpointKind::HfDirectory)
    throw invalid_argument("--model", "an HF model directory (config.json + model.safetensors): a TorchScript "
                                      "module cannot be fine-tuned",
                           "'" + path + "'");
  return encoder::load_hf_directory(path);
}

std::string directory_fingerprint(const fs::path& dir) {
  uint64_t h = fnv1a64("model-directory");
  for (const char* f : {"config.json", "model.safetensors"})
    if (fs::exists(dir / f)) h = hash_file(dir / f, fnv1a64(f, h));
  return text::hex64(h);
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
  std::vector<int64_t> lengths;
  for (const auto& u : dev.utterances) lengths.push_back(u.audio.numel());
  DecodeOptions decode;
  decode.beam = beam;
  ErrorTally tally;
  for (const auto& batch : length_sorted_batches(lengths, 16, 16000 * 16)) {
    std::vector<std::span<const float>> waves;
    for (size_t i : batch)
      waves.emplace_back(dev.utterances[i].audio.data_ptr<float>(), static_cast<size_t>(lengths[i]));
    auto out = recognise(model, waves, do_normalize, decode);
    for (size_t k = 0; k < batch.size(); ++k) {
      const auto& u = dev.utterances[batch[k]];
      tally.add(u.speaker_id, u.transcript.value_or(""), out[k].hypothesis);
    }
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
  for (const auto& f : {std::to_string(r.step), std::to_string(r.epoch), text::fixed(r.wer(), 6),
                        text::fixed(r.cer(), 6), std::to_string(r.words.errors()), std::to_string(r.words.reference),
                        std::to_string(r.characters.errors()), std::to_string(r.characters.reference),
                        std::to_string(r.utterances), text::fixed(r.seconds, 3)}) {
    if (!row.empty()) row += ',';
    row += f;
  }
  return row + "\n";
}

// The evaluations a resumed run already made (dev_log.csv after prepare_train_log kept the checkpoint's rows).
std::vector<DevResult> read_dev_log(const fs::path& path) {
  std::vector<DevResult> out;
  if (!fs::exists(path)) return out;
  const auto lines = read_lines(path);
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = text::split(lines[i], ',');
    if (f.size() < 10) continue;
    const std::string what = path.string() + " line " + std::to_string(i + 1);
    DevResult r;
    r.step = text::parse_int(f[0], what);
    r.epoch = static_cast<int>(text::parse_int(f[1], what));
    // Substitutions stand for all errors: only the totals matter to rates and the selection.
    r.words.substitutions = static_cast<size_t>(text::parse_int(f[4], what));
    r.words.reference = static_cast<size_t>(text::parse_int(f[5], what));
    r.characters.substitutions = static_cast<size_t>(text::parse_int(f[6], what));
    r.characters.reference = static_cast<size_t>(text::parse_int(f[7], what));
    r.utterances = static_cast<size_t>(text::parse_int(f[8], what));
    r.seconds = text::parse_double(f[9], what);
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

}  // namespace

FinetuneResult run_finetuning(const FinetuneConfig& given, const fs::path& out, const FinetuneOptions& options) {
  given.validate();
  auto pretrained = load_pretrained(given.pretrained);
  // The encoder's shape and input normalisation are the pretrained model's.
  FinetuneConfig c = given;
  c.model = pretrained.model->config();
  c.arch = "pretrained";
  c.data.normalization = pretrained.do_normalize ? "zero-mean-unit-var" : "none";
  c.validate();
  const auto resolved = c.to_json();
  train::prepare_run_directory(
      out, "finetune_config.json", resolved, options.resume,
      [&](const json& stored) {
        return train::json_differences(FinetuneConfig::from_json(stored, "finetune_config.json").to_json(), resolved,
                                       train::resume_free_paths());
      },
      "fine-tuning");
  const bool do_normalize = pretrained.do_normalize;
  const auto vocabulary = Vocabulary::characters();

  FinetuneResult result;
  result.out = out;
  auto set = load_set(c.corpus, c, options.progress);
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
  std::optional<train::TrainingSet> dev;
  if (!c.dev.empty()) {
    dev = load_set(c.dev, c, options.progress);
    std::vector<train::TrainUtterance> scored;
    for (auto& u : dev->utterances)
      if (u.transcript) scored.push_back(std::move(u));
    if (scored.empty()) throw Error("--dev " + c.dev + ": no utterance has a transcript to score against");
    dev->utterances = std::move(scored);
    result.dev_utterances = dev->utterances.size();
  }

  auto objective = std::make_unique<CtcObjective>(c.ctc, vocabulary, c.seed);
  CtcObjective& ctc = *objective;
  train::Trainer trainer(c, set, std::move(objective), pretrained.model);
  const auto checkpoint = options.resume ? train::latest_checkpoint(out) : std::nullopt;
  if (checkpoint) {
    trainer.resume_from(*checkpoint);
    log_info("resumed from " + checkpoint->string() + " at step " + std::to_string(trainer.position().step));
  }
  const bool resumed = options.resume && checkpoint.has_value();
  const auto log_path = out / "train_log.csv", dev_path = out / "dev_log.csv";
  train::prepare_train_log(log_path, train::train_log_header(trainer.objective()), trainer.position().step, resumed);
  train::prepare_train_log(dev_path, kDevHeader, trainer.position().step, resumed);
  result.dev = read_dev_log(dev_path);
  for (const auto& d : result.dev)
    if (!result.best || better_dev_result(d, *result.best)) result.best = d;

  CtcModel view(trainer.model(), vocabulary, c.ctc.final_dropout, ctc.lm_head());
  std::ofstream log_file(log_path, std::ios::app), dev_file(dev_path, std::ios::app);
  train::TrainerHooks hooks;
  hooks.stage = "finetune";
  hooks.progress = options.progress;
  hooks.on_step = [&](const train::StepLog& s) {
    result.last = s;
    if (s.step % c.log_every == 0 || s.step == trainer.total_steps()) log_file << train::to_csv_row(s) << std::flush;
    if (options.on_step) options.on_step(s);
  };
  hooks.on_epoch_end = [&](int epoch) {
    if (!dev || (epoch % c.eval_every_epochs != 0 && epoch != c.epochs)) return;
    auto r = evaluate(view, *dev, do_normalize, c.eval_beam);
    r.step = trainer.position().step;
    r.epoch = epoch;
    dev_file << dev_row(r) << std::flush;
    result.dev.push_back(r);
    if (!result.best || better_dev_result(r, *result.best)) {
      result.best = r;
      save_model_dir(view, out / "best", do_normalize);
    }
    if (options.on_dev) options.on_dev(r);
  };
  result.position = trainer.run(out, hooks);
  log_file.close();
  dev_file.close();

  result.data = set.report;
  result.total_steps = trainer.total_steps();
  result.finished = result.position.epoch >= c.epochs;
  const bool last_is_best = !result.best || result.best->step == result.position.step;
  if (last_is_best) {
    save_ctc_directory(view, out, do_normalize);
    fs::remove_all(out / "last");
  } else {
    save_model_dir(view, out / "last", do_normalize);
    if (fs::exists(out / "best")) copy_model_files(out / "best", out);  // else a finished session copied it already
  }
  if (result.finished) fs::remove_all(out / "best");  // a run stopped by --max-steps keeps it for its resume
  train::write_members(out / "members.tsv", set);
  result.metadata = finetuning_metadata(c, result, ctc, directory_fingerprint(c.pretrained), options.command_line);
  write_text_file_atomically(out / "speechleak_finetuning.json", result.metadata.dump(2) + "\n");
  return result;
}

}  // namespace speechleak::asr
