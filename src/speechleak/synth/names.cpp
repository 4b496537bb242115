#include "speechleak/synth/names.h"

#include <algorithm>
#include <cctype>

#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::synth {
namespace {

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<std::string> minus(const std::vector<std::string>& v, const std::set<std::string>& used) {
  std::vector<std::string> out;
  for (const auto& s : v)
    if (!used.count(s)) out.push_back(s);
  return out;
}

bool is_letters(const std::string& w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
}

}  // namespace

NamePool NamePool::builtin() {
  std::vector<std::string> first = female_first_names();
  first.insert(first.end(), male_first_names().begin(), male_first_names().end());
  return {sorted_unique(std::move(first)), sorted_unique(synth::surnames())};
}

NamePool NamePool::without(const std::set<std::string>& used) const {
  return {minus(first_names, used), minus(surnames, used)};
}

std::string NameMention::text() const {
  if (first.empty()) return surname;
  if (surname.empty()) return first;
  return first + " " + surname;
}

NameMention parse_name(const std::string& name, const std::string& what) {
  const auto words = text::split_ws(text::to_upper(name));
  const bool ok = (words.size() == 1 || words.size() == 2) && std::all_of(words.begin(), words.end(), is_letters);
  if (!ok) throw invalid_argument(what, "a first name, optionally followed by a surname (letters only)", "'" + name + "'");
  NameMention m;
  m.first = words[0];
  if (words.size() == 2) m.surname = words[1];
  m.num_words = static_cast<int>(words.size());
  return m;
}

const std::string& pick(const std::vector<std::string>& list, Rng& rng) { return list[uniform_index(rng, list.size())]; }

}  // namespace speechleak::synth
