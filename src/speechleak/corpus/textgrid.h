#pragma once
// Praat TextGrid files as the Montreal Forced Aligner writes them.
//
// Reading accepts the long text format ("xmin = 0", "intervals [1]:", ...) and the short one (the same values one
// per line without labels) through one tokenizer, the way Praat reads them: labels, "[...]" indices and "!" comments
// are skipped, and values (numbers, "quoted strings" with "" for a quote, <exists>/<absent>) are read in order.
// A bare value after "=" must be a number (so "xmin = 1.2x" is an error, not a skipped label).
// Files may be UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark (Praat's choice for
// non-ASCII labels). TextTiers are parsed and skipped.
//
// Tier choice: the first tier named "words" (case-insensitive); when there is none, the first IntervalTier
// (TextGridWords::tier says which, words_tier_found is false; read_alignments logs one warning for all such files).
// Only the chosen tier is validated for order and overlaps (see check_spans in alignment.h), so a damaged phone
// tier does not cost the words. Silence and "spn" follow the conventions in alignment.h.
//
// Errors: FormatError naming the file, the line, what was found and what was expected.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "speechleak/corpus/alignment.h"
#include "speechleak/corpus/corpus.h"

namespace speechleak::corpus {

struct TextGridWords {
  std::vector<WordSpan> words;   // silences dropped, in file order
  std::string tier;              // the tier the words came from
  bool words_tier_found = true;  // false: no tier named "words"; `tier` is the first IntervalTier
  double xmin = 0.0;             // the TextGrid's time domain
  double xmax = 0.0;
};

// `path` only names the file in messages.
TextGridWords parse_textgrid(std::string_view content, const std::filesystem::path& path);
TextGridWords read_textgrid(const std::filesystem::path& path);

// For read_alignments: {file stem: words}. `fallback_tier` (may be null) receives the tier name when the file had no
// "words" tier, and is cleared otherwise.
AlignmentMap read_textgrid_alignment(const std::filesystem::path& path, std::string* fallback_tier);

// Writes a long-format TextGrid with one IntervalTier: empty intervals fill the gaps so that the intervals tile
// [0, duration_s], as MFA writes them. Times are written in the shortest form that reads back exactly.
// Throws InvalidArgument when a word is empty, contains a line break, or is a silence label (it would not read
// back), when words are unsorted, overlap or have end <= start (Praat has no zero-length intervals), or when a word
// lies outside [0, duration_s]. The write is atomic (util/file_io.h).
void write_textgrid(const std::filesystem::path& path, const std::vector<WordSpan>& words, double duration_s,
                    const std::string& tier_name = "words");

}  // namespace speechleak::corpus
