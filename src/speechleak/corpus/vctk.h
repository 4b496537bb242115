#pragma once
// VCTK reader.
//
// Layouts (detected from the directories present):
//  - 0.92: <root>/wav48_silence_trimmed/<spk>/<spk>_<NNN>_<mic>.flac (mic1 or mic2, 48 kHz: read_audio resamples)
//  - 0.80 and older: <root>/wav48/<spk>/<spk>_<NNN>.wav (one microphone; asking for mic2 is an InvalidArgument)
// Text: <root>/txt/<spk>/<spk>_<NNN>.txt (first line, trimmed). Speakers: <root>/speaker-info.txt, whitespace
// columns ID AGE GENDER ACCENTS REGION COMMENTS; older releases omit the "p" of the ID (added back here).
// REGION may be several words or missing; the 0.92 comments are parenthesised, so REGION is the text before the
// first '(' and COMMENTS the rest.
//
// Choices (tested in tests/corpus/vctk_test.cpp):
//  - Utterance id "<spk>_<NNN>" without the mic, so that results and alignments match across mics.
//  - Audio without text (all of p315) is KEPT with transcript = nullopt and counted in one log_warn line;
//    require_transcript = true skips it instead (reason "missing transcript").
//  - A speaker with text but no audio for the chosen mic (p280 with mic2) is reported once, as a skipped item
//    with the speaker id (reason "speaker without audio"), not once per text file.
//  - A text whose audio is missing while the speaker has other audio (some of p362) is skipped per utterance
//    ("missing audio").
//  - Files of the other mic are ignored; other audio names are skipped ("unexpected file name").
//  - Speaker::sex = GENDER, Speaker::subset = ACCENTS (the accent group, e.g. "Scottish"), metadata "age",
//    "accents", "region" and "comments" (those present). speaker-info.txt is optional.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "speechleak/corpus/corpus.h"

namespace speechleak::corpus {

struct VctkOptions {
  std::string mic = "mic1";         // "mic1" | "mic2" (0.92 only)
  bool require_transcript = false;  // true: audio without text is skipped

  void validate() const;  // throws InvalidArgument
  std::string to_string() const;
};

// Throws FileError when root has neither wav48_silence_trimmed/ nor wav48/.
Corpus read_vctk(const std::filesystem::path& root, const VctkOptions& options = {});

// One speaker-info.txt row; nullopt for the header and blank lines. Throws InvalidArgument when the row has
// fewer than the 4 columns ID AGE GENDER ACCENTS.
std::optional<Speaker> parse_vctk_speaker_row(std::string_view line);

// All rows keyed by id ("p225"); malformed rows go to `skipped` (may be null).
std::map<std::string, Speaker> read_vctk_speakers(const std::filesystem::path& speaker_info, SkipReport* skipped);

}  // namespace speechleak::corpus
