#include "speechleak/corpus/alignment_txt.h"

#include <map>

#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace {

// `"a,b"` -> `a,b`; an unquoted field is taken as it is.
bool unquote(std::string& field) {
  const bool open = !field.empty() && field.front() == '"';
  const bool close = field.size() >= 2 && field.back() == '"';
  if (open != close) return false;
  if (open) field = field.substr(1, field.size() - 2);
  return true;
}

// Parses one line's lists into all spans (silences included); returns a problem or "".
std::string parse_spans(std::vector<std::string> fields, std::vector<WordSpan>* spans) {
  if (fields.size() != 3)
    return "found " + std::to_string(fields.size()) + " fields; expected '<utt-id> \",W1,W2,...,\" \"t1,t2,...\"'";
  if (!unquote(fields[1]) || !unquote(fields[2])) return "unbalanced quotes; expected \"...\" around both lists";
  const auto words = text::split(fields[1], ',');
  const auto times = text::split(fields[2], ',');
  if (words.size() != times.size())
    return std::to_string(words.size()) + " words (silences included) but " + std::to_string(times.size()) +
           " end times; expected one end time per word";
  double start = 0.0;
  for (size_t i = 0; i < words.size(); ++i) {
    double end = 0.0;
    try {
      end = text::parse_double(times[i], "end time " + std::to_string(i + 1));
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    spans->push_back({words[i], start, end});
    start = end;
  }
  return check_spans(*spans);
}

}  // namespace

AlignmentMap parse_alignment_txt(std::string_view content, const std::filesystem::path& path, SkipReport* skipped) {
  AlignmentMap out;
  std::map<std::string, size_t> first_line;
  const auto lines = split_lines(content);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto fields = text::split_ws(lines[i]);
    if (fields.empty()) continue;
    const std::string& id = fields[0];
    const std::string at = "line " + std::to_string(i + 1) + ": ";
    std::vector<WordSpan> spans;
    std::string problem = parse_spans(fields, &spans);
    if (auto [it, inserted] = first_line.emplace(id, i + 1); !inserted && problem.empty())
      problem = "utterance id '" + id + "' repeated (first on line " + std::to_string(it->second) +
                "); expected one line per utterance";
    if (!problem.empty()) {
      if (!skipped) throw FormatError(path, at + problem);
      skipped->add(id, path.string() + ":" + std::to_string(i + 1), "invalid alignment: " + at + problem);
      continue;
    }
    auto& words = out[id];
    for (const auto& s : spans)
      if (auto word = word_from_label(s.word)) words.push_back({*word, s.start_s, s.end_s});
  }
  return out;
}

AlignmentMap read_alignment_txt(const std::filesystem::path& path, SkipReport* skipped) {
  return parse_alignment_txt(read_alignment_text(path), path, skipped);
}

}  // namespace speechleak::corpus
