#include "speechleak/corpus/textgrid.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <ostream>
#include <tuple>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace {

// ---- tokenizer: values in order, labels skipped (see textgrid.h) ----

struct Token {
  enum class Kind { Number, String, Flag, End };
  Kind kind = Kind::End;
  std::string text;  // String: unescaped; Flag: the word between < >; Number: as written
  double number = 0.0;
  size_t line = 0;
  std::string key;  // long format: the label before the value ("xmin", "size", "text"); short format: empty
};

std::optional<double> to_number(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

class Tokenizer {
 public:
  Tokenizer(std::string_view text, const std::filesystem::path& path) : s_(text), path_(path) {}

  Token next() {
    bool after_equals = false;
    std::string key;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '=') {
        after_equals = true;
        ++pos_;
      } else if (c == '!') {
        skip_past('\n', false);  // a comment; the newline still counts
      } else if (c == '[') {
        skip_past(']', true);    // "item [1]:", "intervals [3]:"
      } else if (c == '"') {
        return with_key(quoted(), key);
      } else if (c == '<') {
        return with_key(flag(), key);
      } else if (auto t = bare(after_equals, &key)) {
        return with_key(*t, key);
      }
    }
    return Token{Token::Kind::End, "", 0.0, line_, ""};
  }

 private:
  [[noreturn]] void fail(size_t line, const std::string& problem) const {
    throw FormatError(path_, "line " + std::to_string(line) + ": " + problem);
  }

  static Token with_key(Token t, const std::string& key) {
    t.key = key;
    return t;
  }

  void skip_past(char end, bool required) {
    const size_t start_line = line_;
    while (pos_ < s_.size() && s_[pos_] != end) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ == s_.size() && required) fail(start_line, std::string("unclosed '['; expected '") + end + "'");
    if (end != '\n') ++pos_;
  }

  // Praat strings may span lines; "" stands for one quote.
  Token quoted() {
    Token t{Token::Kind::String, "", 0.0, line_, ""};
    ++pos_;
    while (true) {
      if (pos_ >= s_.size()) fail(t.line, "unterminated string; expected a closing '\"'");
      const char c = s_[pos_++];
      if (c == '"') {
        if (pos_ < s_.size() && s_[pos_] == '"') {
          t.text += '"';
          ++pos_;
          continue;
        }
        return t;
      }
      if (c == '\n') ++line_;
      t.text += c;
    }
  }

  Token flag() {
    Token t{Token::Kind::Flag, "", 0.0, line_, ""};
    const size_t close = s_.find('>', pos_);
    const size_t eol = s_.find('\n', pos_);
    if (close == std::string_view::npos || close > eol) fail(t.line, "unclosed '<'; expected <exists> or <absent>");
    t.text = std::string(s_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
    return t;
  }

  // A word outside quotes: a number when it follows '=' or looks like one, otherwise a label to skip (the last
  // label word before a value becomes its key: "intervals: size = 3" -> "size").
  std::optional<Token> bare(bool after_equals, std::string* key) {
    const size_t start = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_])) &&
           std::string_view("=\"<[!").find(s_[pos_]) == std::string_view::npos)
      ++pos_;
    std::string_view word = s_.substr(start, pos_ - start);
    const bool numeric_start = std::string_view("0123456789+-.").find(word.front()) != std::string_view::npos;
    if (!after_equals && !numeric_start) {
      while (!word.empty() && (word.back() == ':' || word.back() == '?')) word.remove_suffix(1);
      if (!word.empty()) *key = word;
      return std::nullopt;
    }
    auto value = to_number(word);
    if (!value) fail(line_, "bad number '" + std::string(word) + "'; expected a decimal number");
    return Token{Token::Kind::Number, std::string(word), *value, line_, ""};
  }

  std::string_view s_;
  const std::filesystem::path& path_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

// ---- parser: the value sequence shared by the long and the short format ----

struct Interval {
  WordSpan span;  // word = the raw label
  size_t line = 0;
};

struct Tier {
  std::string cls;
  std::string name;
  std::vector<Interval> intervals;  // empty for TextTiers
};

std::string describe(const Token& t) {
  const std::string label = t.key.empty() ? "" : " labelled '" + t.key + "'";
  switch (t.kind) {
    case Token::Kind::Number: return "the number " + t.text + label;
    case Token::Kind::String: return "the string \"" + t.text + "\"" + label;
    case Token::Kind::Flag: return "<" + t.text + ">" + label;
    case Token::Kind::End: return "the end of the file";
  }
  return "?";
}

class Parser {
 public:
  Parser(std::string_view text, const std::filesystem::path& path) : tok_(text, path), path_(path) {}

  TextGridWords parse() {
    header();
    std::vector<Tier> tiers;
    const size_t n = tiers_exist() ? count("size", "the number of tiers") : 0;
    for (size_t k = 0; k < n; ++k) tiers.push_back(tier(k + 1));
    Token extra = tok_.next();
    if (extra.kind != Token::Kind::End)
      fail(extra.line, "found " + describe(extra) + " after the last of " + std::to_string(n) +
                           " tiers; expected the end of the file (is 'size' too small?)");
    return choose(tiers);
  }

 private:
  [[noreturn]] void fail(size_t line, const std::string& problem) const {
    throw FormatError(path_, "line " + std::to_string(line) + ": " + problem);
  }

  // The next value, of `kind`; in the long format its label must also be `key` (unless `key` is empty), which
  // turns a missing line into "expected X, found Y" rather than a value read into the wrong field.
  Token expect(Token::Kind kind, const std::string& key, const std::string& what) {
    Token t = tok_.next();
    if (t.kind != kind || (!key.empty() && !t.key.empty() && t.key != key))
      fail(t.line, "expected " + what + ", found " + describe(t));
    return t;
  }
  double number(const std::string& key, const std::string& what) {
    return expect(Token::Kind::Number, key, what + " ('" + key + " = <number>')").number;
  }
  std::string string(const std::string& key, const std::string& what) {
    return expect(Token::Kind::String, key, what + " ('" + key + " = \"...\"')").text;
  }

  size_t count(const std::string& key, const std::string& what) {
    Token t = expect(Token::Kind::Number, key, what + " ('" + key + " = <count>')");
    if (!(t.number >= 0) || t.number != std::floor(t.number) || t.number > 1e9)
      fail(t.line, what + " is " + t.text + "; expected a non-negative integer");
    return static_cast<size_t>(t.number);
  }

  // xmin and xmax of the file or a tier, with xmax >= xmin.
  std::pair<double, double> domain(const std::string& of) {
    const double xmin = number("xmin", of + " xmin");
    Token t = expect(Token::Kind::Number, "xmax", of + " xmax ('xmax = <number>')");
    if (!(t.number >= xmin))
      fail(t.line, of + " xmax " + t.text + " is less than its xmin; expected xmax >= xmin");
    return {xmin, t.number};
  }

  void header() {
    Token type = expect(Token::Kind::String, "type", "File type = \"ooTextFile\"");
    if (!text::starts_with(type.text, "ooTextFile"))
      fail(type.line, "File type is \"" + type.text + "\"; expected \"ooTextFile\" (a Praat text file)");
    Token cls = expect(Token::Kind::String, "class", "Object class = \"TextGrid\"");
    if (cls.text != "TextGrid") fail(cls.line, "Object class is \"" + cls.text + "\"; expected \"TextGrid\"");
    std::tie(xmin_, xmax_) = domain("TextGrid");
  }

  bool tiers_exist() {
    Token t = expect(Token::Kind::Flag, "tiers", "'tiers? <exists>'");
    if (t.text != "exists" && t.text != "absent") fail(t.line, "found <" + t.text + ">; expected <exists> or <absent>");
    return t.text == "exists";
  }

  Tier tier(size_t k) {
    const std::string of = "tier " + std::to_string(k);
    Tier tier;
    Token cls = expect(Token::Kind::String, "class", of + " class ('class = \"IntervalTier\"' or \"TextTier\")");
    tier.cls = cls.text;
    if (tier.cls != "IntervalTier" && tier.cls != "TextTier")
      fail(cls.line, of + " has class \"" + tier.cls + "\"; expected \"IntervalTier\" or \"TextTier\"");
    tier.name = string("name", of + " name");
    domain(of);
    if (tier.cls == "TextTier") {
      skip_points(of, count("size", of + " point count"));
      return tier;
    }
    const size_t n = count("size", of + " interval count");
    for (size_t i = 0; i < n; ++i) {
      const std::string which = of + " interval " + std::to_string(i + 1);
      Token start = expect(Token::Kind::Number, "xmin", which + " xmin ('xmin = <number>')");
      Interval iv;
      iv.line = start.line;
      iv.span.start_s = start.number;
      iv.span.end_s = number("xmax", which + " xmax");
      iv.span.word = string("text", which + " text");
      tier.intervals.push_back(std::move(iv));
    }
    return tier;
  }

  // TextTier points are read (to stay in step) and dropped. The time's label differs between Praat versions
  // ("number", "time"), so it is not checked.
  void skip_points(const std::string& of, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const std::string which = of + " point " + std::to_string(i + 1);
      expect(Token::Kind::Number, "", which + " time (a number)");
      string("mark", which + " mark");
    }
  }

  TextGridWords choose(const std::vector<Tier>& tiers) const {
    const Tier* chosen = nullptr;
    for (const auto& t : tiers)
      if (t.cls == "IntervalTier" && text::to_lower(t.name) == "words") {
        chosen = &t;
        break;
      }
    TextGridWords out;
    out.xmin = xmin_;
    out.xmax = xmax_;
    out.words_tier_found = chosen != nullptr;
    for (size_t i = 0; i < tiers.size() && !chosen; ++i)
      if (tiers[i].cls == "IntervalTier") chosen = &tiers[i];
    if (!chosen)
      throw FormatError(path_, "no IntervalTier among " + std::to_string(tiers.size()) +
                                   " tiers; expected a tier named \"words\"");
    out.tier = chosen->name;
    std::vector<WordSpan> spans;
    std::vector<size_t> lines;
    for (const auto& iv : chosen->intervals) {
      spans.push_back(iv.span);
      lines.push_back(iv.line);
    }
    if (auto problem = check_spans(spans, lines, "interval"); !problem.empty())
      throw FormatError(path_, "tier \"" + chosen->name + "\": " + problem);
    for (const auto& s : spans)
      if (auto word = word_from_label(s.word)) out.words.push_back({*word, s.start_s, s.end_s});
    return out;
  }

  Tokenizer tok_;
  const std::filesystem::path& path_;
  double xmin_ = 0.0;
  double xmax_ = 0.0;
};

// ---- writer ----

std::string shortest(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, ptr);
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '"') out += '"';
  }
  return out;
}

void check_writable(const std::vector<WordSpan>& words, double duration_s) {
  if (!std::isfinite(duration_s) || duration_s <= 0)
    throw invalid_argument("duration_s", "a finite duration > 0", shortest(duration_s));
  double cursor = 0.0;
  for (size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    const std::string name = "words[" + std::to_string(i) + "]";
    if (!word_from_label(w.word) || w.word.find_first_of("\r\n") != std::string::npos || w.word != text::trim(w.word))
      throw invalid_argument(name + ".word", "a word without line breaks or surrounding blanks that is not a "
                                             "silence label", "'" + w.word + "'");
    if (!(w.start_s >= cursor) || !(w.end_s > w.start_s) || !(w.end_s <= duration_s))
      throw invalid_argument(name, "a span [start, end) with " + shortest(cursor) + " <= start < end <= " +
                                       shortest(duration_s) + " (sorted, non-overlapping, non-empty)",
                             "[" + shortest(w.start_s) + ", " + shortest(w.end_s) + "]");
    cursor = w.end_s;
  }
}

void write_interval(std::ostream& out, size_t index, double xmin, double xmax, const std::string& label) {
  out << "        intervals [" << index << "]:\n"
      << "            xmin = " << shortest(xmin) << "\n"
      << "            xmax = " << shortest(xmax) << "\n"
      << "            text = \"" << escape(label) << "\"\n";
}

}  // namespace

TextGridWords parse_textgrid(std::string_view content, const std::filesystem::path& path) {
  return Parser(content, path).parse();
}

TextGridWords read_textgrid(const std::filesystem::path& path) { return parse_textgrid(read_alignment_text(path), path); }

AlignmentMap read_textgrid_alignment(const std::filesystem::path& path, std::string* fallback_tier) {
  TextGridWords tg = read_textgrid(path);
  if (fallback_tier) *fallback_tier = tg.words_tier_found ? std::string() : tg.tier;
  AlignmentMap out;
  out.emplace(path.stem().string(), std::move(tg.words));
  return out;
}

void write_textgrid(const std::filesystem::path& path, const std::vector<WordSpan>& words, double duration_s,
                    const std::string& tier_name) {
  check_writable(words, duration_s);
  // Intervals first, so that the count in "intervals: size" is known before writing.
  std::vector<WordSpan> intervals;
  double cursor = 0.0;
  for (const auto& w : words) {
    if (w.start_s > cursor) intervals.push_back({"", cursor, w.start_s});
    intervals.push_back(w);
    cursor = w.end_s;
  }
  if (duration_s > cursor) intervals.push_back({"", cursor, duration_s});

  write_file_atomically(path, [&](std::ostream& out) {
    const std::string d = shortest(duration_s);
    out << "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n"
        << "xmin = 0\nxmax = " << d << "\ntiers? <exists>\nsize = 1\nitem []:\n"
        << "    item [1]:\n"
        << "        class = \"IntervalTier\"\n"
        << "        name = \"" << escape(tier_name) << "\"\n"
        << "        xmin = 0\n        xmax = " << d << "\n"
        << "        intervals: size = " << intervals.size() << "\n";
    for (size_t i = 0; i < intervals.size(); ++i)
      write_interval(out, i + 1, intervals[i].start_s, intervals[i].end_s, intervals[i].word);
  });
}

}  // namespace speechleak::corpus
