#pragma once
// fairseq audio manifest reader (wav2vec2 / HuBERT fine-tuning data).
//
// <name>.tsv: first line the root directory, then "<relative-path>\t<num-samples>" lines. Labels, when present,
// sit next to it with the same stem: <name>.wrd (one line of words per utterance) or <name>.ltr (letters
// separated by spaces, '|' between words; used only when there is no .wrd). Line i of a label file belongs to
// data line i.
//
// Choices (tested in tests/corpus/fairseq_test.cpp):
//  - A malformed data line, a negative or non-integer sample count, an empty root line, or a label file whose
//    line count differs from the data lines is a FormatError naming file and line: fairseq itself asserts on all
//    of these, and a shifted label file would silently pair transcripts with the wrong audio.
//  - The root is used as written (relative roots resolve against the working directory, as in fairseq).
//  - Utterance id (id_rule): "stem" = file name without extension (LibriSpeech's 1089-134686-0000, matching
//    alignments), "path" = relative path without extension with '/' replaced by '-', "auto" (default) = stem
//    when every stem in the manifest is unique, else path for the whole manifest (one scheme per manifest, never
//    a mix).
//  - Speaker (speaker_rule): "librispeech" (default) = the directory two levels above the file
//    (<speaker>/<chapter>/<file>; chapter_id = the parent, and a further directory above is taken as the subset),
//    "parent" = the parent directory (VCTK-style <speaker>/<file>), "prefix" = the file stem up to its first '-'
//    or '_'. A row whose speaker cannot be derived is skipped ("cannot derive speaker").
//  - A row whose audio file does not exist is skipped ("missing audio").
//  - duration_s = num-samples / sample_rate (16000 unless set; fairseq manifests count samples at the rate the
//    model reads).
#include <filesystem>
#include <string>
#include <string_view>

#include "speechleak/corpus/corpus.h"

namespace speechleak::corpus {

struct FairseqOptions {
  std::string speaker_rule = "librispeech";  // "librispeech" | "parent" | "prefix"
  std::string id_rule = "auto";              // "auto" | "stem" | "path"
  int sample_rate = 16000;                   // of the num-samples column

  void validate() const;  // throws InvalidArgument listing the valid rules
  std::string to_string() const;
};

// Throws FileError when the .tsv is missing, FormatError when it or a label file is malformed.
Corpus read_fairseq(const std::filesystem::path& tsv, const FairseqOptions& options = {});

// ".ltr" line to words: "H E L L O | W O R L D |" -> "HELLO WORLD".
std::string letters_to_words(std::string_view ltr_line);

}  // namespace speechleak::corpus
