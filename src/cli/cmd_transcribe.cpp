// speechleak transcribe: a CTC recogniser over a corpus; hypotheses to a TSV, WER/CER against the corpus's
// transcripts on stdout (docs/asr.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/asr/ctc_model.h"
#include "speechleak/asr/transcribe.h"
#include "speechleak/corpus/load.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"

namespace speechleak::cli {
namespace {

struct TranscribeCli {
  std::string model, corpus, out;
  int threads = 0;
  asr::TranscribeConfig config;
};

// "  WER 12.34% (S 10, D 2, I 1 of 105 words)"
std::string rate_line(const char* name, const asr::EditCounts& e, const char* unit) {
  return std::string(name) + " " + text::percent(e.rate(), 2) + " (S " + std::to_string(e.substitutions) + ", D " +
         std::to_string(e.deletions) + ", I " + std::to_string(e.insertions) + " of " + std::to_string(e.reference) +
         " " + unit + ")";
}

void print_errors(const asr::TranscriptionReport& r) {
  std::printf("%zu utterances transcribed (%.1f min of audio, %.1fx real time)\n", r.transcribed,
              r.audio_seconds / 60, r.wall_seconds > 0 ? r.audio_seconds / r.wall_seconds : 0.0);
  if (r.errors.overall.utterances == 0) {
    std::printf("no transcripts in the corpus: no WER/CER\n");
    return;
  }
  if (r.without_transcript) std::printf("%zu utterances without a transcript are not scored\n", r.without_transcript);
  std::printf("overall (%zu utterances): %s; %s\n", r.errors.overall.utterances,
              rate_line("WER", r.errors.overall.words, "words").c_str(),
              rate_line("CER", r.errors.overall.characters, "characters").c_str());
  std::printf("speaker  utterances     WER     CER   S/D/I words     S/D/I characters\n");
  for (const auto& [speaker, c] : r.errors.by_speaker) {
    const auto& w = c.words;
    const auto& ch = c.characters;
    std::printf("%-8s %10zu %6.2f%% %6.2f%%   %zu/%zu/%zu of %zu   %zu/%zu/%zu of %zu\n", speaker.c_str(), c.utterances,
                100 * w.rate(), 100 * ch.rate(), w.substitutions, w.deletions, w.insertions, w.reference,
                ch.substitutions, ch.deletions, ch.insertions, ch.reference);
  }
}

}  // namespace

void add_transcribe_command(CLI::App& app) {
  auto cli = std::make_shared<TranscribeCli>();
  auto* cmd = app.add_subcommand("transcribe", "Transcribe a corpus with a CTC recogniser; WER/CER against its "
                                               "transcripts (docs/asr.md)");
  cmd->add_option("--model", cli->model, "CTC recogniser directory (HF *ForCTC: speechleak finetune's or downloaded)")
      ->required();
  cmd->add_option("--corpus", cli->corpus, "Corpus spec (docs/corpus-specs.md)")->required();
  cmd->add_option("--out", cli->out, "hyp.tsv to write: a header, then utt_id<TAB>hypothesis")->required();
  cmd->add_option("--beam", cli->config.decode.beam, "0 = greedy; N = CTC prefix beam search of width N (no LM)")
      ->capture_default_str();
  cmd->add_option("--decode-threads", cli->config.decode_threads, "Audio decoding threads")->capture_default_str();
  cmd->add_option("--max-batch-size", cli->config.batch.max_batch_size, "Utterances per forward pass")->capture_default_str();
  cmd->add_option("--max-batch-samples", cli->config.batch.max_batch_samples, "Padded samples per forward pass")
      ->capture_default_str();
  cmd->add_option("--threads", cli->threads, "libtorch threads (0 = all cores)")->capture_default_str();
  cmd->callback([cli] {
    runtime::set_torch_threads(cli->threads);
    auto loaded = asr::load_ctc_directory(cli->model);
    const auto spec = corpus::CorpusSpec::parse(cli->corpus);
    ProgressBar bar;
    auto corpus = corpus::load_corpus(spec, bar.callback());
    bar.finish();
    cli->config.audio_policy = corpus::audio_policy(spec);
    std::string tsv = "utt_id\thypothesis\n";
    auto report = asr::transcribe_corpus(
        corpus, loaded.model, loaded.do_normalize, cli->config,
        [&](const asr::Transcript& t) { tsv += t.utterance->id + "\t" + t.recognition.hypothesis + "\n"; },
        bar.callback());
    bar.finish();
    write_text_file_atomically(cli->out, tsv);  // whole or not at all
    if (!report.skipped.empty()) {
      log_warn(report.summary());
      for (const auto& s : report.skipped.items) log_warn("  " + s.id + ": " + s.reason);
    }
    print_errors(report);
  });
}

}  // namespace speechleak::cli
