#include "speechleak/corpus/ctm.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <ostream>
#include <sstream>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "speechleak/util/number_format.h"

namespace speechleak::corpus {

namespace {

// One utterance's lines as read, before sorting and validation.
struct Pending {
  std::vector<WordSpan> spans;  // word = the raw label (silences still in, so that they are validated too)
  std::vector<size_t> lines;
  std::string problem;          // first malformed line, "line N: ..."
};

// Reads one non-comment line into `utts`; returns a problem ("line N: ...") or "".
std::string parse_line(const std::string& line, size_t line_no, std::map<std::string, Pending>& utts,
                       std::string* utt_id) {
  const auto fields = text::split_ws(line);
  *utt_id = fields.front();
  const std::string at = "line " + std::to_string(line_no) + ": ";
  if (fields.size() < 5)
    return at + "found " + std::to_string(fields.size()) +
           " fields; expected '<utt> <channel> <begin-s> <duration-s> <word> [<confidence>]'";
  double begin = 0, duration = 0;
  try {
    begin = text::parse_double(fields[2], "begin time (field 3)");
    duration = text::parse_double(fields[3], "duration (field 4)");
  } catch (const InvalidArgument& e) {
    return at + e.what();
  }
  if (duration < 0) return at + "duration " + fields[3] + " is negative; expected seconds >= 0";
  auto& u = utts[*utt_id];
  u.spans.push_back({fields[4], begin, begin + duration});
  u.lines.push_back(line_no);
  return {};
}

// Sorts an utterance by begin time, validates it, drops silences; returns a problem or "".
std::string finish(Pending& u, std::vector<WordSpan>* words) {
  std::vector<size_t> order(u.spans.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return u.spans[a].start_s < u.spans[b].start_s ||
           (u.spans[a].start_s == u.spans[b].start_s && u.spans[a].end_s < u.spans[b].end_s);
  });
  std::vector<WordSpan> spans;
  std::vector<size_t> lines;
  for (size_t i : order) {
    spans.push_back(u.spans[i]);
    lines.push_back(u.lines[i]);
  }
  if (auto problem = check_spans(spans, lines); !problem.empty()) return problem;
  for (const auto& s : spans)
    if (auto word = word_from_label(s.word)) words->push_back({*word, s.start_s, s.end_s});
  return {};
}

void report(const std::filesystem::path& path, const std::string& utt_id, const std::string& problem,
            SkipReport* skipped) {
  if (!skipped) throw FormatError(path, "utterance '" + utt_id + "': " + problem);
  skipped->add(utt_id, path.string(), "invalid alignment: " + problem);
}

std::string span_text(const WordSpan& w) {
  std::string s = "[";  // appended piece by piece: gcc 12 warns falsely (-Wrestrict) on "[" + std::string&&
  s += text::general(w.start_s);
  s += ", ";
  s += text::general(w.end_s);
  return s + "]";
}

long long to_ms(double t) { return std::llround(t * 1000.0); }

std::string format_ms(long long ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld.%03lld", ms / 1000, ms % 1000);
  return buf;
}

void check_token(const std::string& name, const std::string& value) {
  if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
    throw invalid_argument(name, "a non-empty string without whitespace", "'" + value + "'");
}

}  // namespace

AlignmentMap parse_ctm(std::string_view content, const std::filesystem::path& path, SkipReport* skipped) {
  std::map<std::string, Pending> utts;
  const auto lines = split_lines(content);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto line = text::trim(lines[i]);
    if (line.empty() || text::starts_with(line, ";;")) continue;
    std::string utt_id;
    std::string problem = parse_line(std::string(line), i + 1, utts, &utt_id);
    if (problem.empty()) continue;
    if (!skipped) throw FormatError(path, problem);
    auto& u = utts[utt_id];
    if (u.problem.empty()) u.problem = problem;
  }
  AlignmentMap out;
  for (auto& [id, u] : utts) {
    std::vector<WordSpan> words;
    std::string problem = u.problem.empty() ? finish(u, &words) : u.problem;
    if (problem.empty())
      out.emplace(id, std::move(words));
    else
      report(path, id, problem, skipped);
  }
  return out;
}

AlignmentMap read_ctm(const std::filesystem::path& path, SkipReport* skipped) {
  return parse_ctm(read_alignment_text(path), path, skipped);
}

void write_ctm_lines(std::ostream& out, const std::string& utt_id, const std::vector<WordSpan>& words) {
  check_token("utt_id", utt_id);
  for (size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    const std::string name = "words[" + std::to_string(i) + "]";
    check_token(name + ".word", w.word);
    if (!std::isfinite(w.start_s) || !std::isfinite(w.end_s) || w.start_s < 0 || w.end_s < w.start_s)
      throw invalid_argument(name, "finite times with 0 <= start <= end", span_text(w));
    const long long begin = to_ms(w.start_s);
    out << utt_id << " 1 " << format_ms(begin) << " " << format_ms(to_ms(w.end_s) - begin) << " " << w.word << "\n";
  }
}

void write_ctm(const std::filesystem::path& path, const AlignmentMap& alignments) {
  write_file_atomically(path, [&](std::ostream& out) {
    for (const auto& [id, words] : alignments) write_ctm_lines(out, id, words);
  });
}

}  // namespace speechleak::corpus
