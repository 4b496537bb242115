#pragma once
// The per-chapter LibriSpeech alignment files `<spk>-<chap>.alignment.txt` (as published with the LibriSpeech
// alignments of CorentinJ/librispeech-alignments), one utterance per line:
//
//   84-121123-0000 ",GO,,DO,YOU,HEAR," "0.490,0.890,1.270,1.380,1.490,1.890,2.280"
//
// The first list holds the words, empty entries being silences; the second the END time of each entry, so entry i
// spans [t(i-1), t(i)] with t(-1) = 0. Both lists must have the same number of entries. Blank lines are skipped;
// the quotes are optional. Silence and unknown-word labels follow alignment.h, as does validation (check_spans).
//
// A malformed line (wrong field count, bad number, list lengths that differ, decreasing times) or a repeated id
// throws FormatError naming the file and the line when `skipped` is null; otherwise that utterance is reported
// ("invalid alignment: ...") and the rest of the chapter is kept (for a repeated id, the first line wins).
#include <filesystem>
#include <string_view>

#include "speechleak/corpus/alignment.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::corpus {

// `path` only names the file in messages.
AlignmentMap parse_alignment_txt(std::string_view content, const std::filesystem::path& path,
                                 SkipReport* skipped = nullptr);
AlignmentMap read_alignment_txt(const std::filesystem::path& path, SkipReport* skipped = nullptr);

}  // namespace speechleak::corpus
