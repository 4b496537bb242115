#pragma once
// speechleak's own corpus manifest: a UTF-8 TSV with a header row.
//
//   utt_id  speaker_id  path  [start]  [end]  [transcript]  [subset]  [chapter]  [duration]  [channel]  [sex]  [...]
//
// utt_id, speaker_id and path are required; the header says which optional columns are present, in any order.
// Columns with other names are "extras": read into ManifestExtras and written back, so that a user's own columns
// survive a read -> filter -> write cycle.
//
// Semantics:
//  - path: relative paths resolve against the manifest's directory. The manifest cannot express piped commands.
//  - start/end (seconds): an empty cell means "none"; a row with either is a Segment (start 0 / end -1 = to the
//    end of the file when only the other one is given), otherwise a File.
//  - transcript: empty cell = no transcript. transcript and extras are escaped: "\\" for a backslash, "\t", "\n"
//    and "\r"; an unknown escape is kept as written. utt_id, speaker_id and path are not escaped: write_manifest
//    refuses ones containing tabs or line breaks (InvalidArgument).
//  - duration (seconds) fills Utterance::duration_s; channel the AudioSource channel; sex the speaker's sex
//    (all rows of one speaker must agree).
//
// Choices (tested in tests/corpus/tsv_manifest_test.cpp):
//  - Structure problems are FormatErrors naming file and line and what was expected: missing required column,
//    duplicate column, wrong number of fields, empty utt_id/speaker_id/path, unparsable number, duplicate
//    utt_id, contradicting sex. The manifest is written by speechleak or by hand for speechleak: a broken one is
//    to be fixed, not half-read. Blank lines are ignored.
//  - A row whose audio file does not exist is skipped and counted ("missing audio"): data goes missing on shared
//    disks without the manifest being wrong.
//  - write_manifest writes only the optional columns some utterance uses, rows sorted by utt_id, numbers in the
//    shortest form that reads back to the same double, atomically (util/file_io.h). Speaker metadata other than
//    sex is not written.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "speechleak/corpus/corpus.h"

namespace speechleak::corpus {

struct ManifestExtras {
  std::vector<std::string> columns;                        // unknown columns in file order
  std::map<std::string, std::vector<std::string>> values;  // utt_id -> one unescaped value per column
};

// Throws FileError when missing, FormatError when malformed. `extras` (may be null) receives the extra columns.
Corpus read_manifest(const std::filesystem::path& path, ManifestExtras* extras = nullptr);

struct ManifestWriteOptions {
  // Write audio paths relative to the manifest's directory when they lie under it (portable trees).
  bool relative_paths = false;

  void validate() const {}
  std::string to_string() const;
};

// Throws InvalidArgument for Command sources and for ids/paths with tabs or line breaks (naming the utterance).
void write_manifest(const std::filesystem::path& path, const Corpus& corpus, const ManifestWriteOptions& options = {},
                    const ManifestExtras* extras = nullptr);

std::string escape_tsv_field(std::string_view s);
std::string unescape_tsv_field(std::string_view s);

}  // namespace speechleak::corpus
