#pragma once
// Kaldi data directory reader.
//
// Files: wav.scp ("<rec-id> <path>" or "<rec-id> <command> |"), optional segments
// ("<utt-id> <rec-id> <begin-s> <end-s>", end -1 = end of recording), utt2spk (required), optional text
// ("<utt-id> <words...>"), optional spk2gender ("<spk> m|f"), optional utt2dur ("<utt-id> <seconds>").
// spk2utt is not read: utt2spk holds the same mapping.
//
// Choices (tested in tests/corpus/kaldi_test.cpp):
//  - A malformed line (too few fields, a bad number, a duplicate key) in one of these files is a FormatError with
//    file:line: Kaldi's validate_data_dir.sh rejects such a directory too, and guessing would hide the damage.
//  - Piped wav.scp entries run shell commands, so they are refused unless allow_commands is set: each utterance
//    on such a recording is skipped with reason "piped wav.scp entry refused: pass allow_commands". With the
//    opt-in they become AudioSource::Command (with start_s/end_s when segments cut them); see
//    utterance_audio.h for how the command is run.
//  - Without segments, the utterance id is the recording id. An utterance of utt2spk whose recording is not in
//    wav.scp is skipped ("missing recording"), as is one absent from an existing segments file ("missing
//    segment") or with an empty/negative segment ("bad segment"); segments/text entries for utterances absent from
//    utt2spk are skipped ("not in utt2spk").
//  - An utterance whose wav.scp file does not exist is skipped ("missing audio"); commands are not checked.
//  - An utterance missing from text is kept without transcript (one log_warn line with the count); when there is
//    no text file at all nobody has transcripts and nothing is logged.
//  - Relative wav.scp paths are kept as written: Kaldi resolves them against the working directory of the recipe
//    (the directory holding data/), not against the data directory.
//  - librispeech_readers: Kaldi's LibriSpeech recipe uses "<reader>-<chapter>" as speaker. With this option the
//    speaker becomes the reader and Utterance::chapter_id the chapter (see split_librispeech_speaker), so that
//    per-speaker results are per reader; spk2gender rows are mapped the same way. A speaker id without '-' is
//    then skipped ("speaker not <reader>-<chapter>").
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "speechleak/corpus/corpus.h"

namespace speechleak::corpus {

struct KaldiOptions {
  bool allow_commands = false;       // accept "<command> |" entries of wav.scp
  bool librispeech_readers = false;  // map "<reader>-<chapter>" speakers to readers

  void validate() const {}
  std::string to_string() const;
};

// Throws FileError when the directory, wav.scp or utt2spk is missing; FormatError on malformed lines.
Corpus read_kaldi(const std::filesystem::path& data_dir, const KaldiOptions& options = {});

// "1089-134686" -> {"1089", "134686"}; nullopt when there is no '-' or a side is empty. The reader is the part
// before the FIRST '-' (LibriSpeech reader ids are numeric, chapters too).
std::optional<std::pair<std::string, std::string>> split_librispeech_speaker(std::string_view kaldi_speaker);

// The wav.scp value: "cmd args |" -> the command without the trailing pipe; nullopt for a plain path.
std::optional<std::string> wav_scp_command(std::string_view value);

}  // namespace speechleak::corpus
