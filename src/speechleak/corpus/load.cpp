#include "speechleak/corpus/load.h"

#include "speechleak/corpus/alignment.h"
#include "speechleak/corpus/fairseq.h"
#include "speechleak/corpus/kaldi.h"
#include "speechleak/corpus/librispeech.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/corpus/vctk.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::corpus {

namespace {

void report(const ProgressCallback& progress, const std::string& stage, size_t done, size_t failed) {
  if (progress)
    progress(
        Progress{stage, static_cast<int64_t>(done), static_cast<int64_t>(done), 0.0, "", static_cast<int64_t>(failed)});
}

void attach(Corpus& corpus, const std::string& path, const ProgressCallback& progress) {
  const AlignmentMap map = read_alignments(path, &corpus.skipped);
  const AttachReport r = attach_alignments(corpus, map);
  log_info("alignments " + path + ": " + r.summary());
  if (!r.word_mismatch.empty())
    log_warn(std::to_string(r.word_mismatch.size()) + " alignments of " + path +
             " spell other words than the transcript (attached anyway), e.g. " + r.word_mismatch.front());
  report(progress, "attach alignments", r.attached, r.without_alignment.size());
}

}  // namespace

Corpus read_corpus(const CorpusSpec& spec) {
  spec.validate();
  switch (spec.format) {
    case CorpusFormat::LibriSpeech: return read_librispeech(spec.path, spec.librispeech);
    case CorpusFormat::Vctk: return read_vctk(spec.path, spec.vctk);
    case CorpusFormat::Kaldi: return read_kaldi(spec.path, spec.kaldi);
    case CorpusFormat::Fairseq: return read_fairseq(spec.path, spec.fairseq);
    case CorpusFormat::Manifest: return read_manifest(spec.path);
  }
  throw InvalidArgument("corpus spec: unknown format");
}

Corpus load_corpus(const CorpusSpec& spec, const ProgressCallback& progress) {
  Corpus corpus = read_corpus(spec);
  corpus.spec = spec.to_string();
  report(progress, "read corpus", corpus.utterances.size(), corpus.skipped.size());
  std::string filtered;
  if (spec.filters.active()) {
    const FilterReport r = apply_filters(corpus, spec.filters, progress);
    filtered = "; filters " + r.summary();
    log_info("filters " + spec.filters.to_string() + ": " + r.summary());
  }
  if (corpus.utterances.empty())
    throw Error("corpus " + corpus.spec + ": no readable utterances; " +
                corpus.skipped.summary(0, "utterances", "read") + filtered + corpus.skipped.examples(3));
  if (!spec.alignments.empty()) attach(corpus, spec.alignments, progress);
  corpus.finalize();
  return corpus;
}

AudioPolicy audio_policy(const CorpusSpec& spec) {
  AudioPolicy policy;
  policy.allow_commands = spec.format == CorpusFormat::Kaldi && spec.kaldi.allow_commands;
  policy.max_seconds = spec.max_audio_seconds;
  return policy;
}

}  // namespace speechleak::corpus
