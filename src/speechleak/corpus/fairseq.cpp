#include "speechleak/corpus/fairseq.h"

#include <optional>
#include <set>
#include <vector>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace fs = std::filesystem;

namespace {

struct Row {
  std::string rel;  // relative path as written
  int64_t samples = 0;
  size_t line = 0;  // 1-based line in the .tsv
};

FormatError line_error(const fs::path& file, size_t line, const std::string& problem) {
  return FormatError(file, "line " + std::to_string(line) + ": " + problem);
}

Row parse_row(const fs::path& tsv, size_t line_no, const std::string& line) {
  const auto fields = text::split(line, '\t');
  if (fields.size() != 2 || fields[0].empty())
    throw line_error(tsv, line_no, "expected '<relative-path>\\t<num-samples>', got '" + line + "'");
  Row row{fields[0], 0, line_no};
  try {
    row.samples = text::parse_int(fields[1], "num-samples");
  } catch (const InvalidArgument& e) {
    throw line_error(tsv, line_no, e.what());
  }
  if (row.samples < 0) throw line_error(tsv, line_no, "num-samples must be >= 0, got " + fields[1]);
  return row;
}

// Labels for each data row from <stem>.wrd, else <stem>.ltr; nullopt when neither exists.
std::optional<std::vector<std::string>> read_labels(const fs::path& tsv, size_t rows) {
  fs::path wrd = tsv, ltr = tsv;
  wrd.replace_extension(".wrd");
  ltr.replace_extension(".ltr");
  const bool use_wrd = fs::exists(wrd);
  if (!use_wrd && !fs::exists(ltr)) return std::nullopt;
  const fs::path file = use_wrd ? wrd : ltr;
  auto lines = read_lines(file);
  // A final empty line is what "echo >>" leaves; it is not a label.
  while (lines.size() > rows && lines.back().empty()) lines.pop_back();
  if (lines.size() != rows)
    throw FormatError(file, "has " + std::to_string(lines.size()) + " lines, expected one per data line of " +
                                tsv.string() + " (" + std::to_string(rows) + ")");
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(use_wrd ? std::string(text::trim(l)) : letters_to_words(l));
  return out;
}

std::string path_id(const std::string& rel) {
  fs::path p(rel);
  std::string id = (p.parent_path() / p.stem()).generic_string();
  for (auto& c : id)
    if (c == '/') c = '-';
  return id;
}

bool stems_unique(const std::vector<Row>& rows) {
  std::set<std::string> stems;
  for (const auto& r : rows)
    if (!stems.insert(fs::path(r.rel).stem().string()).second) return false;
  return true;
}

// Fills speaker_id (and chapter/subset for the librispeech rule); false when the rule finds nothing.
bool derive_speaker(const std::string& rule, const std::string& rel, Utterance& u) {
  std::vector<std::string> dirs;
  for (const auto& part : fs::path(rel).parent_path()) {
    const auto s = part.string();
    if (!s.empty() && s != "/" && s != ".") dirs.push_back(s);
  }
  if (rule == "librispeech") {
    if (dirs.size() < 2) return false;
    u.speaker_id = dirs[dirs.size() - 2];
    u.chapter_id = dirs.back();
    if (dirs.size() >= 3) u.subset = dirs[dirs.size() - 3];
  } else if (rule == "parent") {
    if (dirs.empty()) return false;
    u.speaker_id = dirs.back();
  } else {  // prefix
    const std::string stem = fs::path(rel).stem().string();
    const auto cut = stem.find_first_of("-_");
    if (cut == std::string::npos || cut == 0) return false;
    u.speaker_id = stem.substr(0, cut);
  }
  return true;
}

}  // namespace

void FairseqOptions::validate() const {
  if (speaker_rule != "librispeech" && speaker_rule != "parent" && speaker_rule != "prefix")
    throw invalid_argument("fairseq speaker rule", "one of librispeech, parent, prefix", "'" + speaker_rule + "'");
  if (id_rule != "auto" && id_rule != "stem" && id_rule != "path")
    throw invalid_argument("fairseq id rule", "one of auto, stem, path", "'" + id_rule + "'");
  if (sample_rate <= 0)
    throw invalid_argument("fairseq sample_rate", "a positive rate in Hz", std::to_string(sample_rate));
}

std::string FairseqOptions::to_string() const {
  return "speaker_rule=" + speaker_rule + " id_rule=" + id_rule + " sample_rate=" + std::to_string(sample_rate);
}

std::string letters_to_words(std::string_view ltr_line) {
  std::vector<std::string> words;
  std::string word;
  for (const auto& tok : text::split_ws(ltr_line)) {
    if (tok == "|") {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += tok;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return text::join(words, " ");
}

Corpus read_fairseq(const fs::path& tsv, const FairseqOptions& options) {
  options.validate();
  const auto lines = read_lines(tsv);
  if (lines.empty() || text::trim(lines[0]).empty())
    throw line_error(tsv, 1, "expected the root directory on the first line");
  const fs::path root(std::string(text::trim(lines[0])));
  std::vector<Row> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty() && i + 1 == lines.size()) break;  // trailing newline
    rows.push_back(parse_row(tsv, i + 1, lines[i]));
  }
  const auto labels = read_labels(tsv, rows.size());
  const bool by_stem = options.id_rule == "stem" || (options.id_rule == "auto" && stems_unique(rows));
  Corpus corpus;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    Utterance u;
    u.id = by_stem ? fs::path(r.rel).stem().string() : path_id(r.rel);
    if (!derive_speaker(options.speaker_rule, r.rel, u)) {
      corpus.skipped.add(u.id, tsv.string() + ":" + std::to_string(r.line),
                         "cannot derive speaker: rule '" + options.speaker_rule + "' finds none in '" + r.rel + "'");
      continue;
    }
    u.source = AudioSource::file((root / r.rel).string());
    std::error_code missing;  // a name the system refuses (too long, ...) counts as missing, not as a crash
    if (!fs::exists(u.source.path, missing)) {
      corpus.skipped.add(u.id, tsv.string() + ":" + std::to_string(r.line), "missing audio: no " + u.source.path);
      continue;
    }
    u.duration_s = static_cast<double>(r.samples) / options.sample_rate;
    if (labels) u.transcript = (*labels)[i];
    corpus.utterances.push_back(std::move(u));
  }
  corpus.finalize();
  return corpus;
}

}  // namespace speechleak::corpus
