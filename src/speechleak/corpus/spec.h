#pragma once
// Corpus specs: the one string a user types to name a corpus, its subset and how to read it.
//
//   <format>:<path>[?<key>=<value>&<key>=<value>...]
//
//   librispeech:<root>:<subset>[,<subset>...]   e.g. librispeech:/data/LibriSpeech:train-clean-100,dev-clean
//   vctk:<root>                                 e.g. vctk:/data/VCTK-Corpus-0.92?mic=mic2
//   kaldi:<data-dir>                            e.g. kaldi:/exp/data/train?allow_commands=1
//   fairseq:<manifest.tsv>                      e.g. fairseq:/data/manifests/train.tsv?speaker_rule=parent
//   manifest:<speechleak manifest.tsv>          e.g. manifest:/data/x.tsv?max_speakers=20&seed=3
//
// The path ends at the first '?'. LibriSpeech subsets follow the LAST ':' of the path part and are required:
// guessing them could mix members and non-members. Query values may percent-encode '&' (%26) and '%' (%25).
//
// Keys (each at most once; a key that does not apply to the format is an InvalidArgument naming the formats it
// applies to):
//   any format    max_speakers=N, max_utts_per_speaker=N (0 = all), min_duration=S, max_duration=S (seconds, 0 = no
//                 bound), seed=N (unsigned; default 0), alignments=PATH (file or directory, see alignment.h),
//                 max_audio_seconds=S (longer utterances are skipped when their audio is loaded; default 120, 0 = none)
//   librispeech   require_transcript=BOOL, extension=.flac
//   vctk          mic=mic1|mic2, require_transcript=BOOL
//   kaldi         allow_commands=BOOL, librispeech_readers=BOOL
//   fairseq       speaker_rule=librispeech|parent|prefix, id_rule=auto|stem|path, sample_rate=HZ
//   manifest      (only the keys of any format)
// BOOL is 1/0/true/false/yes/no. The same table is in docs/corpus-specs.md.
//
// to_string() writes the canonical form: keys in the order above, only values that differ from the defaults,
// so parse(s.to_string()).to_string() == s.to_string(). Corpus::spec records it.
#include <string>
#include <string_view>
#include <vector>

#include "speechleak/corpus/fairseq.h"
#include "speechleak/corpus/filter.h"
#include "speechleak/corpus/kaldi.h"
#include "speechleak/corpus/librispeech.h"
#include "speechleak/corpus/utterance_audio.h"
#include "speechleak/corpus/vctk.h"

namespace speechleak::corpus {

enum class CorpusFormat { LibriSpeech, Vctk, Kaldi, Fairseq, Manifest };

std::string to_string(CorpusFormat format);
// "librispeech" | "vctk" | "kaldi" | "fairseq" | "manifest"; throws InvalidArgument listing them.
CorpusFormat parse_corpus_format(std::string_view name);

struct CorpusSpec {
  CorpusFormat format = CorpusFormat::Manifest;
  std::string path;                // root directory, data directory or .tsv, as typed
  LibriSpeechOptions librispeech;  // subsets come from the spec's third part
  VctkOptions vctk;
  KaldiOptions kaldi;
  FairseqOptions fairseq;
  FilterOptions filters;
  std::string alignments;  // empty: none
  double max_audio_seconds = AudioPolicy{}.max_seconds;  // longer utterances are skipped as "too long"; 0 = no limit

  // Throws InvalidArgument naming the part or key that is wrong and what is valid, then validate()s.
  static CorpusSpec parse(std::string_view text);
  void validate() const;
  std::string to_string() const;
};

// The keys valid for `format`, in canonical order (for messages and docs).
std::vector<std::string> spec_keys(CorpusFormat format);

}  // namespace speechleak::corpus
