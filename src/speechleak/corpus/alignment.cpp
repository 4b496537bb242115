#include "speechleak/corpus/alignment.h"

#include "speechleak/corpus/words.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <unordered_set>

#include "speechleak/corpus/alignment_txt.h"
#include "speechleak/corpus/ctm.h"
#include "speechleak/corpus/textgrid.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"
#include "speechleak/util/number_format.h"

namespace speechleak::corpus {

namespace {

std::string format_time(double t) { return text::general(t); }

// ---- text decoding ----

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// `bytes` without its byte-order mark.
std::string decode_utf16(const std::filesystem::path& path, std::string_view bytes, bool big_endian) {
  if (bytes.size() % 2 != 0) throw FormatError(path, "UTF-16 text with an odd number of bytes (truncated file?)");
  auto unit = [&](size_t i) {
    auto hi = static_cast<unsigned char>(bytes[big_endian ? i : i + 1]);
    auto lo = static_cast<unsigned char>(bytes[big_endian ? i + 1 : i]);
    return static_cast<char32_t>((hi << 8) | lo);
  };
  std::string out;
  out.reserve(bytes.size() / 2);
  for (size_t i = 0; i < bytes.size(); i += 2) {
    char32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < bytes.size()) {
      char32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF)
      throw FormatError(path, "malformed UTF-16: unpaired surrogate at byte " + std::to_string(i + 2));
    append_utf8(out, u);
  }
  return out;
}

// ---- transcript comparison ----

const std::string kUnk = "<unk>";

// Normalised tokens (corpus/words.h) appended to `out`.
void append_tokens(std::string_view s, std::vector<std::string>& out) {
  for (auto& t : normalize_words(s)) out.push_back(std::move(t));
}

// ---- directory walk ----

enum class FileKind { TextGrid, Ctm, AlignmentTxt, Other };

FileKind kind_of(const std::filesystem::path& p) {
  const std::string name = text::to_lower(p.filename().string());
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".textgrid")) return FileKind::TextGrid;
  if (ends_with(".ctm")) return FileKind::Ctm;
  if (ends_with(".alignment.txt")) return FileKind::AlignmentTxt;
  return FileKind::Other;
}

std::vector<std::filesystem::path> alignment_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  try {
    auto options = std::filesystem::directory_options::follow_directory_symlink |
                   std::filesystem::directory_options::skip_permission_denied;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, options))
      if (entry.is_regular_file() && kind_of(entry.path()) != FileKind::Other) files.push_back(entry.path());
  } catch (const std::filesystem::filesystem_error& e) {
    throw FileError(e.path1().empty() ? dir : e.path1(), std::string("cannot list directory: ") + e.what());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::optional<std::string> word_from_label(std::string_view label) {
  const std::string lower = text::to_lower(text::trim(label));
  if (lower.empty() || lower == "sil" || lower == "sp" || lower == "<sil>" || lower == "!sil" || lower == "<eps>")
    return std::nullopt;
  if (lower == "spn" || lower == kUnk) return kUnk;
  return std::string(text::trim(label));
}

std::string check_spans(const std::vector<WordSpan>& spans, const std::vector<size_t>& lines,
                        const std::string& noun) {
  for (size_t i = 0; i < spans.size(); ++i) {
    const auto& s = spans[i];
    std::string where = (i < lines.size() ? "line " + std::to_string(lines[i]) + ": " : std::string()) + noun + " " +
                        std::to_string(i + 1) + " '" + s.word + "'";
    if (!std::isfinite(s.start_s) || !std::isfinite(s.end_s))
      return where + " has a non-finite time [" + format_time(s.start_s) + ", " + format_time(s.end_s) +
             "]; expected finite seconds";
    if (s.start_s < 0) return where + " starts at " + format_time(s.start_s) + " s; expected a time >= 0";
    if (s.end_s < s.start_s)
      return where + " ends at " + format_time(s.end_s) + " s, before its start " + format_time(s.start_s) +
             " s; expected end >= start";
    if (i > 0 && s.start_s < spans[i - 1].end_s - kOverlapTolerance)
      return where + " starts at " + format_time(s.start_s) + " s, before the previous " + noun + " '" +
             spans[i - 1].word + "' ends (" + format_time(spans[i - 1].end_s) +
             " s); expected sorted, non-overlapping " + noun + "s";
  }
  return {};
}

std::string read_alignment_text(const std::filesystem::path& path) {
  std::string bytes = read_text_file(path);
  std::string_view v(bytes);
  if (v.starts_with("\xEF\xBB\xBF")) return bytes.substr(3);
  if (v.starts_with("\xFE\xFF")) return decode_utf16(path, v.substr(2), true);
  if (v.starts_with("\xFF\xFE")) return decode_utf16(path, v.substr(2), false);
  return bytes;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

namespace {

// One file's alignments, with its problems in `file_skips` (per-utterance problems of CTM/alignment.txt) or thrown.
AlignmentMap read_one(const std::filesystem::path& file, SkipReport* file_skips, std::string* fallback_tier) {
  switch (kind_of(file)) {
    case FileKind::TextGrid: return read_textgrid_alignment(file, fallback_tier);
    case FileKind::Ctm: return read_ctm(file, file_skips);
    case FileKind::AlignmentTxt: return read_alignment_txt(file, file_skips);
    case FileKind::Other: break;
  }
  throw FormatError(file, "not an alignment file; expected a name ending in .TextGrid, .ctm or .alignment.txt");
}

// Adds a file's alignments to `all`; an id already there keeps its first file.
void merge(const std::filesystem::path& file, AlignmentMap&& found, AlignmentMap& all,
           std::map<std::string, std::filesystem::path>& origin, SkipReport* skipped) {
  for (auto& [id, words] : found) {
    auto [it, inserted] = origin.emplace(id, file);
    if (inserted) {
      all.emplace(id, std::move(words));
      continue;
    }
    std::string reason = "duplicate alignment: '" + id + "' is also in " + it->second.string() + " (kept)";
    if (!skipped) throw FormatError(file, reason);
    skipped->add(id, file.string(), reason);
  }
}

void log_fallbacks(size_t count, const std::filesystem::path& example, const std::string& tier) {
  if (count == 0) return;
  log_warn(std::to_string(count) + " TextGrid file(s) have no tier named \"words\"; used the first interval tier (" +
           example.string() + ": \"" + tier + "\")");
}

}  // namespace

AlignmentMap read_alignments(const std::filesystem::path& path_or_dir, SkipReport* skipped) {
  std::error_code ec;
  if (!std::filesystem::exists(path_or_dir, ec)) throw FileError(path_or_dir, "does not exist");
  const bool is_dir = std::filesystem::is_directory(path_or_dir, ec);
  if (!is_dir && kind_of(path_or_dir) == FileKind::Other) return read_one(path_or_dir, nullptr, nullptr);
  const auto files = is_dir ? alignment_files(path_or_dir) : std::vector<std::filesystem::path>{path_or_dir};

  AlignmentMap all;
  std::map<std::string, std::filesystem::path> origin;
  size_t fallbacks = 0;
  std::filesystem::path fallback_example;
  std::string fallback_tier_example;
  for (const auto& file : files) {
    std::string fallback_tier;
    AlignmentMap found;
    try {
      found = read_one(file, skipped, &fallback_tier);
    } catch (const FormatError& e) {
      if (!skipped) throw;
      skipped->add(file.filename().string(), file.string(), "unreadable alignment file: " + e.problem());
      continue;
    } catch (const FileError& e) {
      if (!skipped) throw;
      skipped->add(file.filename().string(), file.string(), std::string("unreadable alignment file: ") + e.what());
      continue;
    }
    if (!fallback_tier.empty() && fallbacks++ == 0) {
      fallback_example = file;
      fallback_tier_example = fallback_tier;
    }
    merge(file, std::move(found), all, origin, skipped);
  }
  log_fallbacks(fallbacks, fallback_example, fallback_tier_example);
  return all;
}

bool words_match(const std::vector<WordSpan>& words, std::string_view transcript) {
  std::vector<std::string> expected;
  append_tokens(transcript, expected);
  std::vector<std::string> aligned;
  for (const auto& w : words) {
    if (w.word == kUnk)
      aligned.push_back(kUnk);  // before punctuation removal would turn it into "unk"
    else
      append_tokens(w.word, aligned);
  }
  if (aligned.size() != expected.size()) return false;
  for (size_t i = 0; i < aligned.size(); ++i)
    if (aligned[i] != kUnk && aligned[i] != expected[i]) return false;
  return true;
}

AttachReport attach_alignments(Corpus& corpus, const AlignmentMap& alignments) {
  AttachReport report;
  std::unordered_set<std::string> corpus_ids;
  for (auto& u : corpus.utterances) {
    corpus_ids.insert(u.id);
    auto it = alignments.find(u.id);
    if (it == alignments.end()) {
      report.without_alignment.push_back(u.id);
      continue;
    }
    u.alignment = it->second;
    ++report.attached;
    if (u.transcript && !words_match(it->second, *u.transcript)) report.word_mismatch.push_back(u.id);
  }
  for (const auto& [id, words] : alignments)
    if (!corpus_ids.count(id)) report.unknown_ids.push_back(id);  // map order: already sorted
  std::sort(report.without_alignment.begin(), report.without_alignment.end());
  std::sort(report.word_mismatch.begin(), report.word_mismatch.end());
  return report;
}

std::string AttachReport::summary() const {
  std::string out = std::to_string(attached) + " of " + std::to_string(attached + without_alignment.size()) +
                    " utterances aligned";
  if (!without_alignment.empty()) out += "; " + std::to_string(without_alignment.size()) + " without alignment";
  if (!unknown_ids.empty()) out += "; " + std::to_string(unknown_ids.size()) + " alignments for unknown utterances";
  if (!word_mismatch.empty())
    out += "; " + std::to_string(word_mismatch.size()) + " word mismatches (attached anyway)";
  return out;
}

}  // namespace speechleak::corpus
