#pragma once
// Word-level alignments: reading them from the formats forced aligners publish, and attaching them to a corpus.
//
// Formats (detected by file name; see textgrid.h, ctm.h, alignment_txt.h):
//   *.TextGrid       Praat/MFA TextGrid, long or short text format; utterance id = file stem
//   *.ctm            CTM, several utterances per file; utterance id = first column
//   *.alignment.txt  LibriSpeech per-chapter alignments; utterance id = first field
//
// Conventions shared by every reader (decided here, once):
// - Times are seconds from the start of the utterance's audio, exactly as written in the file (a TextGrid whose
//   xmin is not 0 is not shifted).
// - Silence is dropped: labels "", "sil", "sp", "<sil>", "!sil", "<eps>" (case-insensitive, after trimming).
// - Unknown words are kept, as the word "<unk>": MFA labels them "spn" (and some tools "<unk>"/"<UNK>"). Keeping
//   them keeps the word count and the timing of the rest intact; the transcript check treats "<unk>" as matching
//   any one transcript word.
// - Validation: times finite and >= 0, end >= start, words sorted and not overlapping. A tolerance of
//   kOverlapTolerance absorbs decimal rounding (a CTM word's end is begin + duration, each rounded to 1 ms).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::corpus {

using AlignmentMap = std::map<std::string, std::vector<WordSpan>>;  // utt_id -> words (silences dropped), times in s

// Reads one file or a directory tree. Detects: *.TextGrid (utt id = file stem), *.ctm (utt id = first column),
// *.alignment.txt (utt id = first field); in a directory, files of other names are ignored. Directories are walked
// recursively (sorted, following directory symlinks, as LibriSpeech trees often are links).
// Per-file (and, for CTM/alignment.txt, per-utterance) problems go to `skipped` with the file and the reason; an
// utterance id found in two files keeps the first (in sorted path order) and reports the second.
// When `skipped` is null the first problem throws FormatError instead, so that nothing is lost silently.
// A path that does not exist throws FileError; a single file of an unknown kind throws FormatError.
AlignmentMap read_alignments(const std::filesystem::path& path_or_dir, SkipReport* skipped);

struct AttachReport {
  size_t attached = 0;
  std::vector<std::string> without_alignment;  // utterances the map has no entry for (an existing alignment stays)
  std::vector<std::string> unknown_ids;        // alignment ids with no utterance in the corpus
  std::vector<std::string> word_mismatch;      // attached, but the words differ from the transcript
  // "1200 of 1250 utterances aligned; 50 without alignment; 3 alignments for unknown utterances; 7 word
  // mismatches (attached anyway)"
  std::string summary() const;
};

// Attaches by utterance id (Utterance::alignment is replaced). Mismatches are reported, not fatal.
// An alignment whose word sequence differs from the utterance's transcript (compared case-insensitively, ignoring
// punctuation, see words_match) is STILL ATTACHED and listed in word_mismatch: the aligner's words are what it
// timed, so the spans stay self-consistent, and transcripts differ from aligner lexicons in harmless ways (numbers,
// hyphenation); a caller that needs agreement drops the listed ids. Utterances without a transcript are not
// compared. All lists are sorted by id.
AttachReport attach_alignments(Corpus& corpus, const AlignmentMap& alignments);

// Whether aligned words spell the transcript: both sides normalised (corpus/words.h: case, punctuation and
// apostrophes ignored, hyphens split words); an aligned "<unk>" matches any one transcript token.
bool words_match(const std::vector<WordSpan>& words, std::string_view transcript);

// ---- helpers shared by the alignment readers and writers ----------------------------------------------------------

inline constexpr double kOverlapTolerance = 1e-6;  // seconds

// The word a label stands for: nullopt for silence, "<unk>" for spn/<unk>, otherwise the trimmed label.
std::optional<std::string> word_from_label(std::string_view label);

// Checks one utterance's spans (finite, >= 0, end >= start, sorted, non-overlapping). Returns an empty string when
// they are fine, otherwise the first problem, naming the entry (`noun` 1-based index, and `lines[i]` when given)
// and what was expected.
std::string check_spans(const std::vector<WordSpan>& spans, const std::vector<size_t>& lines = {},
                        const std::string& noun = "word");

// A whole alignment file as UTF-8: a UTF-8 byte-order mark is dropped, UTF-16 (BE or LE, with a byte-order mark, as
// Praat writes files with non-ASCII labels) is decoded. Throws FileError when unreadable, FormatError when the
// UTF-16 is malformed.
std::string read_alignment_text(const std::filesystem::path& path);

// Splits text into lines (without '\n' and a trailing '\r').
std::vector<std::string> split_lines(std::string_view text);

}  // namespace speechleak::corpus
