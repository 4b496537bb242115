#include "speechleak/corpus/spec.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <functional>
#include <set>

#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace {

using F = CorpusFormat;
const std::vector<F> kAllFormats = {F::LibriSpeech, F::Vctk, F::Kaldi, F::Fairseq, F::Manifest};

std::string key_name(const std::string& key) { return "corpus spec key '" + key + "'"; }

int64_t parse_count(const std::string& key, const std::string& v) {
  long long n = 0;
  try {
    n = text::parse_int(v, key_name(key));
  } catch (const InvalidArgument&) {
    throw invalid_argument(key_name(key), "a whole number >= 0", "'" + v + "'");
  }
  if (n < 0) throw invalid_argument(key_name(key), "a whole number >= 0", "'" + v + "'");
  return n;
}

double parse_seconds(const std::string& key, const std::string& v) {
  double d = 0;
  try {
    d = text::parse_double(v, key_name(key));
  } catch (const InvalidArgument&) {
    throw invalid_argument(key_name(key), "seconds >= 0", "'" + v + "'");
  }
  if (!std::isfinite(d) || d < 0) throw invalid_argument(key_name(key), "seconds >= 0", "'" + v + "'");
  return d;
}

uint64_t parse_u64(const std::string& key, const std::string& v) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size())
    throw invalid_argument(key_name(key), "an unsigned integer", "'" + v + "'");
  return n;
}

bool parse_bool(const std::string& key, const std::string& v) {
  const auto l = text::to_lower(v);
  if (l == "1" || l == "true" || l == "yes") return true;
  if (l == "0" || l == "false" || l == "no") return false;
  throw invalid_argument(key_name(key), "1/0/true/false/yes/no", "'" + v + "'");
}

std::string number(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string boolean(bool b) { return b ? "1" : "0"; }

struct KeyDef {
  std::string name;
  std::vector<F> formats;
  std::function<void(CorpusSpec&, const std::string&)> set;
  std::function<std::string(const CorpusSpec&)> get;
};

// The one table of keys: parse, to_string, spec_keys and the messages all read it.
const std::vector<KeyDef>& keys() {
  static const std::vector<KeyDef> table = {
      {"max_speakers", kAllFormats,
       [](CorpusSpec& s, const std::string& v) { s.filters.max_speakers = parse_count("max_speakers", v); },
       [](const CorpusSpec& s) { return std::to_string(s.filters.max_speakers); }},
      {"max_utts_per_speaker", kAllFormats,
       [](CorpusSpec& s, const std::string& v) {
         s.filters.max_utts_per_speaker = parse_count("max_utts_per_speaker", v);
       },
       [](const CorpusSpec& s) { return std::to_string(s.filters.max_utts_per_speaker); }},
      {"min_duration", kAllFormats,
       [](CorpusSpec& s, const std::string& v) { s.filters.min_duration_s = parse_seconds("min_duration", v); },
       [](const CorpusSpec& s) { return number(s.filters.min_duration_s); }},
      {"max_duration", kAllFormats,
       [](CorpusSpec& s, const std::string& v) { s.filters.max_duration_s = parse_seconds("max_duration", v); },
       [](const CorpusSpec& s) { return number(s.filters.max_duration_s); }},
      {"seed", kAllFormats, [](CorpusSpec& s, const std::string& v) { s.filters.seed = parse_u64("seed", v); },
       [](const CorpusSpec& s) { return std::to_string(s.filters.seed); }},
      {"alignments", kAllFormats, [](CorpusSpec& s, const std::string& v) { s.alignments = v; },
       [](const CorpusSpec& s) { return s.alignments; }},
      {"max_audio_seconds", kAllFormats,
       [](CorpusSpec& s, const std::string& v) { s.max_audio_seconds = parse_seconds("max_audio_seconds", v); },
       [](const CorpusSpec& s) { return number(s.max_audio_seconds); }},
      {"require_transcript",
       {F::LibriSpeech, F::Vctk},
       [](CorpusSpec& s, const std::string& v) {
         s.librispeech.require_transcript = s.vctk.require_transcript = parse_bool("require_transcript", v);
       },
       [](const CorpusSpec& s) {
         return boolean(s.format == F::Vctk ? s.vctk.require_transcript : s.librispeech.require_transcript);
       }},
      {"extension",
       {F::LibriSpeech},
       [](CorpusSpec& s, const std::string& v) { s.librispeech.audio_extension = v; },
       [](const CorpusSpec& s) { return s.librispeech.audio_extension; }},
      {"mic",
       {F::Vctk},
       [](CorpusSpec& s, const std::string& v) { s.vctk.mic = v; },
       [](const CorpusSpec& s) { return s.vctk.mic; }},
      {"allow_commands",
       {F::Kaldi},
       [](CorpusSpec& s, const std::string& v) { s.kaldi.allow_commands = parse_bool("allow_commands", v); },
       [](const CorpusSpec& s) { return boolean(s.kaldi.allow_commands); }},
      {"librispeech_readers",
       {F::Kaldi},
       [](CorpusSpec& s, const std::string& v) { s.kaldi.librispeech_readers = parse_bool("librispeech_readers", v); },
       [](const CorpusSpec& s) { return boolean(s.kaldi.librispeech_readers); }},
      {"speaker_rule",
       {F::Fairseq},
       [](CorpusSpec& s, const std::string& v) { s.fairseq.speaker_rule = v; },
       [](const CorpusSpec& s) { return s.fairseq.speaker_rule; }},
      {"id_rule",
       {F::Fairseq},
       [](CorpusSpec& s, const std::string& v) { s.fairseq.id_rule = v; },
       [](const CorpusSpec& s) { return s.fairseq.id_rule; }},
      {"sample_rate",
       {F::Fairseq},
       [](CorpusSpec& s, const std::string& v) {
         const int64_t rate = parse_count("sample_rate", v);
         if (rate > INT_MAX) throw invalid_argument(key_name("sample_rate"), "a sample rate in Hz", "'" + v + "'");
         s.fairseq.sample_rate = static_cast<int>(rate);
       },
       [](const CorpusSpec& s) { return std::to_string(s.fairseq.sample_rate); }},
  };
  return table;
}

bool applies(const KeyDef& k, F format) {
  return std::find(k.formats.begin(), k.formats.end(), format) != k.formats.end();
}

std::string format_list(const std::vector<F>& formats) {
  std::vector<std::string> names;
  for (auto f : formats) names.push_back(to_string(f));
  return text::join(names, ", ");
}

std::string percent_decode(const std::string& key, std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i];
      continue;
    }
    unsigned value = 0;
    auto [ptr, ec] = i + 3 <= v.size() ? std::from_chars(v.data() + i + 1, v.data() + i + 3, value, 16)
                                       : std::from_chars_result{nullptr, std::errc::invalid_argument};
    if (ec != std::errc() || ptr != v.data() + i + 3)
      throw invalid_argument(key_name(key), "'%' followed by two hex digits (%26 for '&', %25 for '%')",
                             "'" + std::string(v) + "'");
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

std::string percent_encode(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '%')
      out += "%25";
    else if (c == '&')
      out += "%26";
    else
      out += c;
  }
  return out;
}

void apply_query(CorpusSpec& spec, std::string_view query) {
  std::set<std::string> seen;
  for (const auto& item : text::split(query, '&')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw invalid_argument("corpus spec option", "key=value", "'" + item + "'");
    const std::string key = item.substr(0, eq);
    const auto& table = keys();
    auto def = std::find_if(table.begin(), table.end(), [&](const KeyDef& k) { return k.name == key; });
    if (def == table.end())
      throw invalid_argument("corpus spec key '" + key + "'", "one of " + text::join(spec_keys(spec.format), ", "),
                             "an unknown key");
    if (!applies(*def, spec.format))
      throw invalid_argument(
          "corpus spec key '" + key + "'",
          "a key of format " + to_string(spec.format) + " (it applies to " + format_list(def->formats) + ")",
          "it with format " + to_string(spec.format));
    if (!seen.insert(key).second) throw invalid_argument(key_name(key), "at most once", "it twice");
    def->set(spec, percent_decode(key, item.substr(eq + 1)));
  }
}

// "<root>:<subset,...>" -> root and subsets, split at the LAST ':'.
void split_librispeech_path(CorpusSpec& spec) {
  const auto colon = spec.path.rfind(':');
  if (colon == std::string::npos || colon + 1 == spec.path.size())
    throw invalid_argument("librispeech corpus spec", "librispeech:<root>:<subset>[,<subset>...]",
                           "no subsets in '" + spec.path + "'");
  spec.librispeech.subsets = text::split(spec.path.substr(colon + 1), ',');
  spec.path = spec.path.substr(0, colon);
}

}  // namespace

std::string to_string(CorpusFormat format) {
  switch (format) {
    case F::LibriSpeech: return "librispeech";
    case F::Vctk: return "vctk";
    case F::Kaldi: return "kaldi";
    case F::Fairseq: return "fairseq";
    case F::Manifest: return "manifest";
  }
  return "?";
}

CorpusFormat parse_corpus_format(std::string_view name) {
  const auto lower = text::to_lower(name);
  for (auto f : kAllFormats)
    if (to_string(f) == lower) return f;
  throw invalid_argument("corpus format", "one of " + format_list(kAllFormats), "'" + std::string(name) + "'");
}

std::vector<std::string> spec_keys(CorpusFormat format) {
  std::vector<std::string> out;
  for (const auto& k : keys())
    if (applies(k, format)) out.push_back(k.name);
  return out;
}

CorpusSpec CorpusSpec::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos)
    throw invalid_argument("corpus spec",
                           "<format>:<path>[?key=value&...] with format one of " + format_list(kAllFormats),
                           "'" + std::string(text) + "'");
  CorpusSpec spec;
  spec.format = parse_corpus_format(text.substr(0, colon));
  const auto rest = text.substr(colon + 1);
  const auto q = rest.find('?');
  spec.path = std::string(rest.substr(0, q));
  if (spec.format == F::LibriSpeech) split_librispeech_path(spec);
  if (q != std::string_view::npos) apply_query(spec, rest.substr(q + 1));
  spec.validate();
  return spec;
}

void CorpusSpec::validate() const {
  if (path.empty()) throw invalid_argument("corpus spec path", "a non-empty path", "an empty one");
  if (path.find('?') != std::string::npos)
    throw invalid_argument("corpus spec path", "no '?' (it starts the options)", "'" + path + "'");
  switch (format) {
    case F::LibriSpeech: librispeech.validate(); break;
    case F::Vctk: vctk.validate(); break;
    case F::Kaldi: kaldi.validate(); break;
    case F::Fairseq: fairseq.validate(); break;
    case F::Manifest: break;
  }
  filters.validate();
}

std::string CorpusSpec::to_string() const {
  std::string out = corpus::to_string(format) + ":" + path;
  // Appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on "literal" + std::string here.
  if (format == F::LibriSpeech) {
    out += ':';
    out += text::join(librispeech.subsets, ",");
  }
  CorpusSpec defaults;
  defaults.format = format;
  std::vector<std::string> items;
  for (const auto& k : keys())
    if (applies(k, format) && k.get(*this) != k.get(defaults))
      items.push_back(k.name + "=" + percent_encode(k.get(*this)));
  if (!items.empty()) {
    out += '?';
    out += text::join(items, "&");
  }
  return out;
}

}  // namespace speechleak::corpus
