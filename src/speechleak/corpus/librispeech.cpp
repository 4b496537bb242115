#include "speechleak/corpus/librispeech.h"

#include <algorithm>
#include <cctype>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace fs = std::filesystem;

namespace {

// Directory order differs between file systems; sorting keeps ids, skips and warnings reproducible.
std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (directories ? entry.is_directory() : entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string where(const fs::path& file, size_t line) { return file.string() + ":" + std::to_string(line); }

struct TranscriptLine {
  std::string text;
  size_t line = 0;
};

// "<utt-id> <TRANSCRIPT>" lines of one chapter; bad lines are skipped into `skipped`.
std::map<std::string, TranscriptLine> read_chapter_transcripts(const fs::path& trans, SkipReport& skipped) {
  std::map<std::string, TranscriptLine> out;
  if (!fs::exists(trans)) return out;
  const auto lines = read_lines(trans);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto line = text::trim(lines[i]);
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0) {
      skipped.add(std::string(line.substr(0, space)), where(trans, i + 1),
                  "malformed transcript line: expected '<utt-id> <TRANSCRIPT>'");
      continue;
    }
    std::string id(line.substr(0, space));
    if (out.count(id)) {
      skipped.add(id, where(trans, i + 1), "duplicate transcript line: first at line " + std::to_string(out[id].line));
      continue;
    }
    out[id] = {std::string(text::trim(line.substr(space + 1))), i + 1};
  }
  return out;
}

struct ChapterContext {
  const LibriSpeechOptions& options;
  std::string subset;
  std::string speaker;
  std::string chapter;
  Corpus& corpus;
  size_t& kept_without_transcript;
};

// True when `stem` is "<speaker>-<chapter>-<digits>".
bool is_utterance_stem(const std::string& stem, const ChapterContext& c) {
  const std::string prefix = c.speaker + "-" + c.chapter + "-";
  return text::starts_with(stem, prefix) && all_digits(std::string_view(stem).substr(prefix.size()));
}

void read_chapter(const fs::path& dir, const ChapterContext& c) {
  const fs::path trans = dir / (c.speaker + "-" + c.chapter + ".trans.txt");
  auto transcripts = read_chapter_transcripts(trans, c.corpus.skipped);
  for (const auto& file : sorted_entries(dir, false)) {
    if (file.extension() != c.options.audio_extension) continue;
    const std::string stem = file.stem().string();
    if (!is_utterance_stem(stem, c)) {
      c.corpus.skipped.add(
          stem, file.string(),
          "unexpected file name: expected " + c.speaker + "-" + c.chapter + "-<N>" + c.options.audio_extension);
      continue;
    }
    Utterance u;
    u.id = stem;
    u.speaker_id = c.speaker;
    u.source = AudioSource::file(file.string());
    u.subset = c.subset;
    u.chapter_id = c.chapter;
    if (auto it = transcripts.find(stem); it != transcripts.end()) {
      u.transcript = std::move(it->second.text);
      transcripts.erase(it);
    } else if (c.options.require_transcript) {
      c.corpus.skipped.add(stem, trans.string(), "missing transcript: no line for this utterance");
      continue;
    } else {
      ++c.kept_without_transcript;
    }
    c.corpus.utterances.push_back(std::move(u));
  }
  // Lines left over name audio that is not there.
  for (const auto& [id, t] : transcripts)
    c.corpus.skipped.add(id, where(trans, t.line),
                         "missing audio: no " + (dir / (id + c.options.audio_extension)).string());
}

void read_subset(const fs::path& root, const std::string& subset, const LibriSpeechOptions& options, Corpus& corpus,
                 size_t& kept_without_transcript) {
  const fs::path dir = root / subset;
  if (!fs::is_directory(dir))
    throw FileError(
        dir, "LibriSpeech subset directory does not exist (expected <root>/" + subset + "/<speaker>/<chapter>/)");
  for (const auto& speaker_dir : sorted_entries(dir, true)) {
    for (const auto& chapter_dir : sorted_entries(speaker_dir, true)) {
      ChapterContext c{options,
                       subset,
                       speaker_dir.filename().string(),
                       chapter_dir.filename().string(),
                       corpus,
                       kept_without_transcript};
      read_chapter(chapter_dir, c);
    }
  }
}

void attach_speaker_metadata(const fs::path& root, Corpus& corpus) {
  const fs::path speakers_txt = root / "SPEAKERS.TXT";
  if (!fs::exists(speakers_txt)) {
    log_info("LibriSpeech: no " + speakers_txt.string() + "; speakers have no sex/name metadata");
    return;
  }
  auto table = read_librispeech_speakers(speakers_txt, &corpus.skipped);
  for (const auto& u : corpus.utterances) {
    if (corpus.speakers.count(u.speaker_id)) continue;
    auto it = table.find(u.speaker_id);
    if (it != table.end()) corpus.speakers[u.speaker_id] = it->second;
  }
}

}  // namespace

void LibriSpeechOptions::validate() const {
  if (subsets.empty())
    throw invalid_argument("librispeech subsets", "at least one subset (e.g. train-clean-100)", "none");
  for (const auto& s : subsets)
    if (s.empty() || s.find('/') != std::string::npos || s == "." || s == "..")
      throw invalid_argument("librispeech subset", "a directory name under the root", "'" + s + "'");
  for (size_t i = 0; i < subsets.size(); ++i)
    if (std::find(subsets.begin(), subsets.begin() + i, subsets[i]) != subsets.begin() + i)
      throw invalid_argument("librispeech subsets", "each subset once", "'" + subsets[i] + "' twice");
  if (audio_extension.size() < 2 || audio_extension[0] != '.')
    throw invalid_argument("librispeech audio_extension", "an extension with a dot, e.g. .flac",
                           "'" + audio_extension + "'");
}

std::string LibriSpeechOptions::to_string() const {
  return "subsets=" + text::join(subsets, ",") + " audio_extension=" + audio_extension +
         " require_transcript=" + (require_transcript ? "true" : "false");
}

std::optional<Speaker> parse_librispeech_speaker_row(std::string_view line) {
  const auto trimmed = text::trim(line);
  if (trimmed.empty() || trimmed.front() == ';') return std::nullopt;
  // At most 5 fields: a '|' inside the name (reader 60, "|CBW|Simon") belongs to the name.
  auto fields = text::split(trimmed, '|', 5);
  if (fields.size() < 5)
    throw invalid_argument("SPEAKERS.TXT row", "5 '|'-separated fields ID | SEX | SUBSET | MINUTES | NAME",
                           std::to_string(fields.size()) + " fields in '" + std::string(trimmed) + "'");
  Speaker s;
  s.id = std::string(text::trim(fields[0]));
  if (s.id.empty()) throw invalid_argument("SPEAKERS.TXT row", "a speaker ID in the first field", "an empty one");
  s.sex = text::to_upper(text::trim(fields[1]));
  s.subset = std::string(text::trim(fields[2]));
  s.metadata["minutes"] = std::string(text::trim(fields[3]));
  s.name = std::string(text::trim(fields[4]));
  return s;
}

std::map<std::string, Speaker> read_librispeech_speakers(const fs::path& speakers_txt, SkipReport* skipped) {
  std::map<std::string, Speaker> out;
  const auto lines = read_lines(speakers_txt);
  for (size_t i = 0; i < lines.size(); ++i) {
    try {
      if (auto s = parse_librispeech_speaker_row(lines[i])) out[s->id] = std::move(*s);
    } catch (const InvalidArgument& e) {
      if (skipped)
        skipped->add(std::string(text::trim(lines[i])), where(speakers_txt, i + 1),
                     std::string("malformed SPEAKERS.TXT row: ") + e.what());
    }
  }
  return out;
}

Corpus read_librispeech(const fs::path& root, const LibriSpeechOptions& options) {
  options.validate();
  if (!fs::is_directory(root)) throw FileError(root, "LibriSpeech root directory does not exist");
  Corpus corpus;
  size_t kept_without_transcript = 0;
  for (const auto& subset : options.subsets) read_subset(root, subset, options, corpus, kept_without_transcript);
  if (kept_without_transcript > 0)
    log_warn("LibriSpeech: " + std::to_string(kept_without_transcript) +
             " utterances have audio but no transcript line; kept without transcript");
  attach_speaker_metadata(root, corpus);
  corpus.finalize();
  return corpus;
}

}  // namespace speechleak::corpus
