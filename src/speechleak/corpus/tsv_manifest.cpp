#include "speechleak/corpus/tsv_manifest.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <ostream>
#include <set>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kRequired = {"utt_id", "speaker_id", "path"};
const std::vector<std::string> kOptional = {"start",   "end",      "transcript", "subset",
                                            "chapter", "duration", "channel",    "sex"};

FormatError line_error(const fs::path& file, size_t line, const std::string& problem) {
  return FormatError(file, "line " + std::to_string(line) + ": " + problem);
}

bool is_known(const std::string& name) {
  return std::find(kRequired.begin(), kRequired.end(), name) != kRequired.end() ||
         std::find(kOptional.begin(), kOptional.end(), name) != kOptional.end();
}

struct Header {
  std::vector<std::string> names;
  std::map<std::string, size_t> index;
  std::vector<size_t> extra;  // positions of unknown columns
};

Header parse_header(const fs::path& file, const std::string& line) {
  Header h;
  h.names = text::split(line, '\t');
  for (size_t i = 0; i < h.names.size(); ++i) {
    const auto& name = h.names[i];
    if (name.empty()) throw line_error(file, 1, "empty column name at position " + std::to_string(i + 1));
    if (!h.index.emplace(name, i).second) throw line_error(file, 1, "duplicate column '" + name + "'");
    if (!is_known(name)) h.extra.push_back(i);
  }
  for (const auto& req : kRequired)
    if (!h.index.count(req))
      throw line_error(file, 1,
                       "missing required column '" + req +
                           "': expected a header with utt_id, speaker_id, "
                           "path and optionally " +
                           text::join(kOptional, ", "));
  return h;
}

struct RowContext {
  const fs::path& file;
  size_t line;
  const Header& header;
  const std::vector<std::string>& fields;

  // The cell of `column`; nullopt when the column is absent or the cell empty.
  std::optional<std::string> cell(const std::string& column) const {
    auto it = header.index.find(column);
    if (it == header.index.end() || fields[it->second].empty()) return std::nullopt;
    return fields[it->second];
  }
  std::string required(const std::string& column) const {
    auto v = cell(column);
    if (!v) throw line_error(file, line, "empty " + column + " (required)");
    return *v;
  }
  std::optional<double> number(const std::string& column) const {
    auto v = cell(column);
    if (!v) return std::nullopt;
    try {
      return text::parse_double(*v, column);
    } catch (const InvalidArgument& e) {
      throw line_error(file, line, e.what());
    }
  }
  std::optional<int> channel() const {
    auto v = cell("channel");
    if (!v) return std::nullopt;
    long long c = -1;
    try {
      c = text::parse_int(*v, "channel");
    } catch (const InvalidArgument&) {
    }
    if (c < 0 || c > 1024) throw line_error(file, line, "channel: expected a channel index >= 0, got '" + *v + "'");
    return static_cast<int>(c);
  }
};

Utterance parse_row(const RowContext& r, const fs::path& base) {
  Utterance u;
  u.id = r.required("utt_id");
  u.speaker_id = r.required("speaker_id");
  fs::path audio(r.required("path"));
  if (audio.is_relative()) audio = base / audio;
  const auto start = r.number("start");
  const auto end = r.number("end");
  if (start || end)
    u.source = AudioSource::segment(audio.string(), start.value_or(0.0), end.value_or(-1.0));
  else
    u.source = AudioSource::file(audio.string());
  if (auto t = r.cell("transcript")) u.transcript = unescape_tsv_field(*t);
  u.subset = unescape_tsv_field(r.cell("subset").value_or(""));
  u.chapter_id = unescape_tsv_field(r.cell("chapter").value_or(""));
  u.duration_s = r.number("duration").value_or(-1.0);
  if (auto c = r.channel()) u.source.channel = *c;
  return u;
}

void set_sex(const RowContext& r, const std::string& speaker, Corpus& corpus) {
  auto sex = r.cell("sex");
  if (!sex) return;
  auto& spk = corpus.speakers[speaker];
  spk.id = speaker;
  if (!spk.sex.empty() && spk.sex != *sex)
    throw line_error(r.file, r.line,
                     "sex '" + *sex + "' of speaker " + speaker + " contradicts '" + spk.sex + "' given earlier");
  spk.sex = *sex;
}

void add_extras(const RowContext& r, const std::string& id, ManifestExtras* extras) {
  if (!extras) return;
  auto& values = extras->values[id];
  for (size_t i : r.header.extra) values.push_back(unescape_tsv_field(r.fields[i]));
}

std::string format_number(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

void check_plain(const std::string& value, const std::string& column, const std::string& utt) {
  if (value.find_first_of("\t\n\r") != std::string::npos)
    throw invalid_argument("manifest " + column + " of utterance '" + utt + "'", "no tabs or line breaks",
                           "'" + escape_tsv_field(value) + "'");
}

struct Used {
  bool segment = false, transcript = false, subset = false, chapter = false, duration = false, channel = false,
       sex = false;
};

Used used_columns(const Corpus& corpus) {
  Used u;
  for (const auto& utt : corpus.utterances) {
    u.segment |= utt.source.kind == AudioSource::Kind::Segment;
    u.transcript |= utt.transcript.has_value();
    u.subset |= !utt.subset.empty();
    u.chapter |= !utt.chapter_id.empty();
    u.duration |= utt.duration_s >= 0;
    u.channel |= utt.source.channel >= 0;
    if (auto it = corpus.speakers.find(utt.speaker_id); it != corpus.speakers.end()) u.sex |= !it->second.sex.empty();
  }
  return u;
}

std::string written_path(const Utterance& u, const fs::path& manifest, const ManifestWriteOptions& options) {
  if (u.source.kind == AudioSource::Kind::Command)
    throw invalid_argument("manifest path of utterance '" + u.id + "'", "a file or segment source",
                           "the piped command '" + u.source.describe() + "'");
  check_plain(u.source.path, "path", u.id);
  if (!options.relative_paths) return u.source.path;
  const fs::path base = fs::absolute(manifest).parent_path();
  const fs::path rel = fs::absolute(u.source.path).lexically_normal().lexically_relative(base.lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return u.source.path;
  return rel.generic_string();
}

std::vector<std::string> row_cells(const Utterance& u, const Corpus& corpus, const Used& used, const fs::path& path,
                                   const ManifestWriteOptions& options) {
  check_plain(u.id, "utt_id", u.id);
  check_plain(u.speaker_id, "speaker_id", u.id);
  std::vector<std::string> cells = {u.id, u.speaker_id, written_path(u, path, options)};
  const bool seg = u.source.kind == AudioSource::Kind::Segment;
  if (used.segment) {
    cells.push_back(seg ? format_number(u.source.start_s) : "");
    cells.push_back(seg && u.source.end_s >= 0 ? format_number(u.source.end_s) : "");
  }
  if (used.transcript) cells.push_back(escape_tsv_field(u.transcript.value_or("")));
  if (used.subset) cells.push_back(escape_tsv_field(u.subset));
  if (used.chapter) cells.push_back(escape_tsv_field(u.chapter_id));
  if (used.duration) cells.push_back(u.duration_s >= 0 ? format_number(u.duration_s) : "");
  if (used.channel) cells.push_back(u.source.channel >= 0 ? std::to_string(u.source.channel) : "");
  if (used.sex) {
    auto it = corpus.speakers.find(u.speaker_id);
    cells.push_back(it == corpus.speakers.end() ? "" : escape_tsv_field(it->second.sex));
  }
  return cells;
}

std::vector<std::string> header_cells(const Used& used) {
  std::vector<std::string> h = kRequired;
  if (used.segment) h.insert(h.end(), {"start", "end"});
  if (used.transcript) h.push_back("transcript");
  if (used.subset) h.push_back("subset");
  if (used.chapter) h.push_back("chapter");
  if (used.duration) h.push_back("duration");
  if (used.channel) h.push_back("channel");
  if (used.sex) h.push_back("sex");
  return h;
}

}  // namespace

std::string ManifestWriteOptions::to_string() const {
  return std::string("relative_paths=") + (relative_paths ? "true" : "false");
}

std::string escape_tsv_field(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape_tsv_field(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[i + 1];
    if (n == '\\')
      out += '\\';
    else if (n == 't')
      out += '\t';
    else if (n == 'n')
      out += '\n';
    else if (n == 'r')
      out += '\r';
    else {
      out += s.substr(i, 2);  // unknown escape: kept as written
    }
    ++i;
  }
  return out;
}

Corpus read_manifest(const fs::path& path, ManifestExtras* extras) {
  const auto lines = read_lines(path);
  if (lines.empty()) throw line_error(path, 1, "empty file: expected a header row starting utt_id\tspeaker_id\tpath");
  const Header header = parse_header(path, lines[0]);
  if (extras) {
    extras->columns.clear();
    extras->values.clear();
    for (size_t i : header.extra) extras->columns.push_back(header.names[i]);
  }
  const fs::path base = path.parent_path();
  Corpus corpus;
  std::map<std::string, size_t> first_line;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (text::trim(lines[i]).empty()) continue;
    const auto fields = text::split(lines[i], '\t');
    if (fields.size() != header.names.size())
      throw line_error(path, i + 1,
                       "expected " + std::to_string(header.names.size()) + " tab-separated fields (" +
                           text::join(header.names, ", ") + "), got " + std::to_string(fields.size()));
    const RowContext r{path, i + 1, header, fields};
    Utterance u = parse_row(r, base);
    if (auto [it, fresh] = first_line.emplace(u.id, i + 1); !fresh)
      throw line_error(path, i + 1,
                       "duplicate utt_id '" + u.id + "' (first at line " + std::to_string(it->second) + ")");
    set_sex(r, u.speaker_id, corpus);
    std::error_code missing;  // a name the system refuses (too long, ...) counts as missing, not as a crash
    if (!fs::exists(u.source.path, missing)) {
      corpus.skipped.add(u.id, path.string() + ":" + std::to_string(i + 1), "missing audio: no " + u.source.path);
      continue;
    }
    add_extras(r, u.id, extras);
    corpus.utterances.push_back(std::move(u));
  }
  // A speaker whose rows were all skipped keeps no entry.
  const auto ids = corpus.speaker_ids();
  std::erase_if(corpus.speakers, [&](const auto& kv) { return !std::binary_search(ids.begin(), ids.end(), kv.first); });
  corpus.finalize();
  return corpus;
}

void write_manifest(const fs::path& path, const Corpus& corpus, const ManifestWriteOptions& options,
                    const ManifestExtras* extras) {
  options.validate();
  const Used used = used_columns(corpus);
  std::vector<std::string> header = header_cells(used);
  if (extras)
    for (const auto& c : extras->columns) {
      check_plain(c, "extra column name", "(header)");
      if (is_known(c)) throw invalid_argument("manifest extra column", "a name not used by speechleak", "'" + c + "'");
      header.push_back(c);
    }
  std::vector<const Utterance*> rows;
  for (const auto& u : corpus.utterances) rows.push_back(&u);
  std::sort(rows.begin(), rows.end(), [](const Utterance* a, const Utterance* b) { return a->id < b->id; });
  std::vector<std::string> lines;  // built before writing so that a refused row leaves no file behind
  lines.push_back(text::join(header, "\t"));
  for (const Utterance* u : rows) {
    auto cells = row_cells(*u, corpus, used, path, options);
    if (extras) {
      auto it = extras->values.find(u->id);
      for (size_t c = 0; c < extras->columns.size(); ++c)
        cells.push_back(it != extras->values.end() && c < it->second.size() ? escape_tsv_field(it->second[c]) : "");
    }
    lines.push_back(text::join(cells, "\t"));
  }
  write_file_atomically(path, [&](std::ostream& out) {
    for (const auto& l : lines) out << l << '\n';
  });
}

}  // namespace speechleak::corpus
