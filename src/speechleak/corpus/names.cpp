#include "speechleak/corpus/names.h"

#include <algorithm>
#include <set>

#include "speechleak/corpus/words.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::corpus {

namespace fs = std::filesystem;

namespace {

int column(const std::vector<std::string>& header, const std::string& name) {
  auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

void add_name(NameList& list, std::string_view name) {
  auto words = normalize_words(name);
  if (words.empty()) return;
  if (std::find(list.names.begin(), list.names.end(), words) == list.names.end()) list.names.push_back(words);
}

void load_names_tsv(NameList& list, const std::vector<std::string>& lines) {
  const auto header = text::split(lines[0], '\t');
  const int utt = column(header, "utt_id"), name = column(header, "name"), start = column(header, "start_s"),
            end = column(header, "end_s"), first = column(header, "first_name"), sur = column(header, "surname");
  if (utt < 0 || name < 0 || start < 0 || end < 0)
    throw FormatError(list.source, "names.tsv header needs utt_id, name, start_s and end_s columns");
  for (size_t i = 1; i < lines.size(); ++i) {
    if (text::trim(lines[i]).empty()) continue;
    const auto f = text::split(lines[i], '\t');
    const std::string where = "line " + std::to_string(i + 1);
    if (f.size() != header.size())
      throw FormatError(list.source, where + ": expected " + std::to_string(header.size()) + " fields, got " +
                                         std::to_string(f.size()));
    NameMention m{text::join(normalize_words(f[name]), " "), text::parse_double(f[start], where + " start_s"),
                  text::parse_double(f[end], where + " end_s")};
    if (!(m.end_s >= m.start_s)) throw FormatError(list.source, where + ": end_s < start_s");
    list.mentions[f[utt]].push_back(m);
    add_name(list, f[name]);
    // A first name or a surname alone still identifies a person: sanitising drops those mentions too.
    if (first >= 0) add_name(list, f[first]);
    if (sur >= 0) add_name(list, f[sur]);
  }
}

std::vector<std::string> aligned_words(const Utterance& u) {
  std::vector<std::string> words;
  for (const auto& w : *u.alignment) {
    auto n = normalize_words(w.word);
    words.push_back(n.empty() ? std::string() : text::join(n, " "));
  }
  return words;
}

}  // namespace

std::vector<std::pair<size_t, size_t>> find_names(const NameList& list, const std::vector<std::string>& words) {
  std::vector<std::pair<size_t, size_t>> hits;
  for (size_t i = 0; i < words.size(); ++i) {
    size_t best = 0;  // longest name starting at i ("ALICE MORGAN" over "ALICE")
    for (const auto& name : list.names)
      if (name.size() > best && i + name.size() <= words.size() &&
          std::equal(name.begin(), name.end(), words.begin() + static_cast<std::ptrdiff_t>(i)))
        best = name.size();
    if (best) hits.emplace_back(i, best), i += best - 1;
  }
  return hits;
}

NameList NameList::load(const fs::path& path) {
  NameList list;
  list.source = path;
  auto lines = read_lines(path);
  if (!lines.empty() && column(text::split(lines[0], '\t'), "utt_id") >= 0) {
    list.from_names_tsv = true;
    load_names_tsv(list, lines);
    return list;
  }
  for (const auto& line : lines) {
    auto t = text::trim(line);
    if (t.empty() || t[0] == '#') continue;
    add_name(list, t);
  }
  if (list.names.empty()) throw FormatError(path, "no names (expected names.tsv or one name per line)");
  return list;
}

fs::path resolve_names_file(const std::string& option, const CorpusSpec& spec) {
  if (!option.empty()) return option;
  const fs::path p(spec.path);
  const fs::path candidate = spec.format == CorpusFormat::LibriSpeech || fs::is_directory(p)
                                 ? p / "names.tsv"
                                 : p.parent_path() / "names.tsv";
  if (fs::exists(candidate)) return candidate;
  throw invalid_argument("--names", "a names file (names.tsv of the synthetic corpus or one name per line); none "
                                    "given and none found at " + candidate.string(),
                         "nothing");
}

bool mentions_name(const NameList& names, const Utterance& u) {
  auto it = names.mentions.find(u.id);
  if (it != names.mentions.end() && !it->second.empty()) return true;
  if (u.transcript) return !find_names(names, normalize_words(*u.transcript)).empty();
  if (u.alignment) return !find_names(names, aligned_words(u)).empty();
  return false;
}

std::vector<NameMention> locate_mentions(const NameList& names, const Utterance& u, bool* aligned) {
  if (aligned) *aligned = true;
  auto it = names.mentions.find(u.id);
  if (it != names.mentions.end()) return it->second;
  if (!u.alignment) {
    if (aligned) *aligned = !(u.transcript && !find_names(names, normalize_words(*u.transcript)).empty());
    return {};
  }
  std::vector<NameMention> out;
  const auto words = aligned_words(u);
  for (auto [i, len] : find_names(names, words)) {
    std::string name;
    for (size_t k = i; k < i + len; ++k) name += (k > i ? " " : "") + words[k];
    out.push_back({name, (*u.alignment)[i].start_s, (*u.alignment)[i + len - 1].end_s});
  }
  return out;
}

SanitizeReport sanitize_names(Corpus& corpus, const NameList& names) {
  SanitizeReport r;
  std::vector<Utterance> kept;
  for (auto& u : corpus.utterances) {
    if (mentions_name(names, u)) r.dropped.push_back(u.id);
    else kept.push_back(std::move(u));
  }
  corpus.utterances = std::move(kept);
  std::set<std::string> speakers;
  for (const auto& u : corpus.utterances) speakers.insert(u.speaker_id);
  for (auto it = corpus.speakers.begin(); it != corpus.speakers.end();)
    it = speakers.count(it->first) ? std::next(it) : corpus.speakers.erase(it);
  r.kept = corpus.utterances.size();
  std::sort(r.dropped.begin(), r.dropped.end());
  return r;
}

}  // namespace speechleak::corpus
