// speechleak extract: run an encoder over a corpus and write a resumable feature store.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/corpus/filter.h"
#include "speechleak/corpus/load.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/extract.h"
#include "speechleak/runtime/distributed_env.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::cli {
namespace {

struct ExtractOptions {
  std::string model, corpus, out, shard = "0/1", device = "cpu", precision = "fp32";
  std::vector<int> layers;
  int threads = 0;
  bool shard_given = false;
  features::ExtractConfig config;
};

void parse_shard(const std::string& s, features::ExtractConfig& c) {
  auto parts = text::split(s, '/');
  if (parts.size() != 2) throw invalid_argument("--shard", "i/N, e.g. 0/4", "'" + s + "'");
  c.shard_index = static_cast<int>(text::parse_int(parts[0], "--shard index"));
  c.shard_count = static_cast<int>(text::parse_int(parts[1], "--shard count"));
}

double total_audio_seconds(corpus::Corpus& c) {
  double s = 0;
  for (auto& u : c.utterances) {
    try {
      s += corpus::utterance_duration(u);
    } catch (const Error&) {
    }
  }
  return s;
}

void run(ExtractOptions& opt) {
  runtime::set_torch_threads(opt.threads);
  // In a launch (torchrun, srun, speechleak launch) each process extracts its own shard into the one store; an
  // explicit --shard wins.
  if (const auto env = runtime::distributed_env(); env && env->distributed() && !opt.shard_given) {
    opt.shard = std::to_string(env->rank) + "/" + std::to_string(env->world_size);
    log_info("extract: shard " + opt.shard + " from " + env->launcher + " variables");
  }
  parse_shard(opt.shard, opt.config);
  opt.config.layers = opt.layers;
  opt.config.audio_policy = corpus::audio_policy(corpus::CorpusSpec::parse(opt.corpus));
  encoder::EncoderOptions eo;
  eo.device = opt.device;
  eo.precision = opt.precision;
  auto enc = encoder::load_encoder(opt.model, eo);
  log_info("model: " + enc->metadata().description());
  features::check_layers(*enc, opt.config.layers);  // before the corpus is read
  ProgressBar bar;
  auto corpus = corpus::load_corpus(corpus::CorpusSpec::parse(opt.corpus), bar.callback());
  bar.finish();
  if (!corpus.skipped.empty()) log_warn(corpus.skipped.summary(corpus.utterances.size(), "utterances", "read"));
  const double seconds = total_audio_seconds(corpus) / opt.config.shard_count;
  const double gb = features::expected_store_bytes(seconds, enc->metadata().width, opt.config) / 1e9;
  char line[256];
  std::snprintf(line, sizeof line, "%.2f h of audio in this shard; the store will take about %.3f GB%s", seconds / 3600,
                gb, opt.config.frames ? " (full frames)" : " (summaries only)");
  log_info(line);
  auto report = features::extract_features(corpus, *enc, opt.out, opt.config, bar.callback());
  bar.finish();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::snprintf(line, sizeof line, "; %.1f s of audio in %.1f s (%.1fx real time), %.1f MB written, peak RSS %.0f MB",
                report.audio_seconds, report.wall_seconds, report.audio_seconds / std::max(1e-9, report.wall_seconds),
                report.bytes_written / 1e6, usage.ru_maxrss / 1024.0);
  log_info(report.summary() + line);
  for (const auto& item : report.skipped.items) log_warn("skipped " + item.id + " (" + item.where + "): " + item.reason);
}

}  // namespace

void add_extract_command(CLI::App& app) {
  auto opt = std::make_shared<ExtractOptions>();
  auto* cmd = app.add_subcommand("extract", "Run an encoder over a corpus into a resumable feature store "
                                            "(docs/feature-store.md)");
  cmd->add_option("--model", opt->model, "HF model directory or TorchScript file")->required();
  cmd->add_option("--corpus", opt->corpus, "Corpus spec (docs/corpus-specs.md)")->required();
  cmd->add_option("--out", opt->out, "Feature store directory (created, or resumed)")->required();
  cmd->add_option("--layers", opt->layers, "Hidden states to keep (0 = input of the first layer); default: last");
  cmd->add_flag("--frames", opt->config.frames, "Also store full frame sequences (large: the size is printed first)");
  cmd->add_option("--frames-dtype", opt->config.frames_dtype, "float16 or float32")->capture_default_str();
  cmd->add_option("--shard", opt->shard, "Process shard i of N (i/N); parts combine in one store. Default: 0/1, or "
                                         "RANK/WORLD_SIZE in a launch (torchrun, srun, speechleak launch)")
      ->capture_default_str();
  cmd->add_option("--threads", opt->threads, "libtorch threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--decode-threads", opt->config.decode_threads, "Audio decoding threads")->capture_default_str();
  cmd->add_option("--max-batch-seconds", [opt](const std::vector<std::string>& v) {
       opt->config.max_batch_samples = static_cast<int64_t>(text::parse_double(v.at(0), "--max-batch-seconds") * 16000);
       return true;
     }, "Padded audio per encoder batch, seconds (default 16; memory grows with it)");
  cmd->add_option("--device", opt->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("--precision", opt->precision, "fp32 or bf16")->capture_default_str();
  cmd->callback([opt, cmd] {
    opt->shard_given = cmd->count("--shard") > 0;
    run(*opt);
  });
}

}  // namespace speechleak::cli
