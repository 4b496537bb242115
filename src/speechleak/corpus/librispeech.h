#pragma once
// LibriSpeech reader.
//
// Layout: <root>/<subset>/<speaker>/<chapter>/<speaker>-<chapter>-<NNNN>.flac, one
// <speaker>-<chapter>.trans.txt per chapter (lines "<utt-id> <TRANSCRIPT>", split on the first space), and
// <root>/SPEAKERS.TXT (";" comments, rows "ID | SEX | SUBSET | MINUTES | NAME", split into at most 5 fields so
// that reader 60's name "|CBW|Simon" survives).
//
// Choices (tested in tests/corpus/librispeech_test.cpp):
//  - Subsets are never guessed: a privacy audit must not silently mix member and non-member sets. Any subset
//    name is accepted (train-clean-5 of Mini LibriSpeech too); a missing subset directory is a FileError.
//  - Audio with no transcript line (or no trans.txt at all) is KEPT with transcript = nullopt, because the
//    encoders read audio only; the number of such utterances is reported in one log_warn line. Set
//    require_transcript to skip them instead (reason "missing transcript").
//  - A transcript line with no audio file is skipped (reason "missing audio"), as is a malformed transcript line
//    ("malformed transcript line") and an audio file whose name is not <speaker>-<chapter>-<N>
//    ("unexpected file name").
//  - Speakers: only readers with at least one utterance in the loaded subsets enter Corpus::speakers; sex,
//    subset (the SPEAKERS.TXT column), name and metadata["minutes"] come from SPEAKERS.TXT when it exists (it is
//    optional: a copy of a single subset often lacks it). Malformed SPEAKERS.TXT rows are skipped and counted
//    ("malformed SPEAKERS.TXT row").
//  - Utterance::subset is the directory the file was found in; chapter_id is the chapter directory.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "speechleak/corpus/corpus.h"

namespace speechleak::corpus {

struct LibriSpeechOptions {
  std::vector<std::string> subsets;       // at least one; e.g. {"train-clean-100", "dev-clean"}
  std::string audio_extension = ".flac";  // ".wav" for copies converted with sox
  bool require_transcript = false;        // true: audio without a transcript line is skipped

  void validate() const;  // throws InvalidArgument
  std::string to_string() const;
};

// Reads the subsets under `root`. Throws FileError when root or a subset directory is missing.
Corpus read_librispeech(const std::filesystem::path& root, const LibriSpeechOptions& options);

// One SPEAKERS.TXT row; nullopt for comments and blank lines. Throws InvalidArgument when the row has fewer
// than 5 fields or an empty ID (read_librispeech_speakers turns that into a skip).
std::optional<Speaker> parse_librispeech_speaker_row(std::string_view line);

// All rows of a SPEAKERS.TXT, keyed by id; malformed rows go to `skipped` (may be null).
std::map<std::string, Speaker> read_librispeech_speakers(const std::filesystem::path& speakers_txt,
                                                         SkipReport* skipped);

}  // namespace speechleak::corpus
