#pragma once
// CTM word alignments: one word per line, `<utt> <channel> <begin-s> <duration-s> <word> [<confidence>]`.
//
// Reading: ";;" comment lines and blank lines are skipped; fields past the fifth (confidence, and NIST's optional
// type and speaker) are ignored, as is the channel. The first column is taken as the utterance id, so times are
// relative to the utterance (a CTM keyed by recording, with Kaldi segments, is not resolved here). Lines of one
// utterance need not be contiguous; its words are sorted by begin time (stable) and then validated (check_spans in
// alignment.h). Silence and unknown-word labels follow alignment.h.
// A malformed line or an invalid utterance throws FormatError (file, line, what and what was expected) when
// `skipped` is null; otherwise that whole utterance is dropped and reported ("invalid alignment: ...") and the rest
// of the file is kept, since one CTM often holds a whole corpus.
//
// Writing: times are rounded to whole milliseconds and printed with 3 decimals; the duration is computed from the
// rounded begin and end, so that rounding never makes neighbouring words overlap.
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "speechleak/corpus/alignment.h"
#include "speechleak/corpus/corpus.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::corpus {

// `path` only names the file in messages.
AlignmentMap parse_ctm(std::string_view content, const std::filesystem::path& path, SkipReport* skipped = nullptr);
AlignmentMap read_ctm(const std::filesystem::path& path, SkipReport* skipped = nullptr);

// Writes `<utt_id> 1 <begin> <duration> <word>` per word. Throws InvalidArgument when utt_id or a word is empty or
// contains whitespace, or when a time is negative or not finite, or a word ends before it starts.
void write_ctm_lines(std::ostream& out, const std::string& utt_id, const std::vector<WordSpan>& words);

// All utterances of `alignments`, in id order, into one file (atomic write).
void write_ctm(const std::filesystem::path& path, const AlignmentMap& alignments);

}  // namespace speechleak::corpus
