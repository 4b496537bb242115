#include "speechleak/asr/vocabulary.h"

#include <nlohmann/json.hpp>

#include "speechleak/corpus/words.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"

namespace speechleak::asr {

namespace {

bool is_special(const std::string& t) {
  return t.size() >= 3 && ((t.front() == '<' && t.back() == '>') || (t.front() == '[' && t.back() == ']'));
}

}  // namespace

OovPolicy parse_oov_policy(const std::string& name) {
  if (name == "unk") return OovPolicy::Unk;
  if (name == "skip") return OovPolicy::Skip;
  throw invalid_argument("--oov", "unk or skip", "'" + name + "'");
}

Vocabulary Vocabulary::characters() {
  Vocabulary v;
  v.tokens_ = {"[PAD]", "[UNK]", "|", "'"};
  for (char c = 'A'; c <= 'Z'; ++c) v.tokens_.emplace_back(1, c);
  v.index();
  return v;
}

void Vocabulary::index() {
  blank_ = -1, unk_ = -1, delimiter_ = -1;
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const auto& t = tokens_[i];
    if (t == "[PAD]" || t == "<pad>") blank_ = static_cast<int64_t>(i);
    if (t == "[UNK]" || t == "<unk>") unk_ = static_cast<int64_t>(i);
    if (t == "|") delimiter_ = static_cast<int64_t>(i);
  }
}

Vocabulary Vocabulary::from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object() || j.empty()) throw FormatError(source, "vocab.json: expected a non-empty {\"token\": id} object");
  Vocabulary v;
  v.tokens_.assign(j.size(), std::string());
  std::vector<bool> seen(j.size(), false);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto number = json_integer<int64_t>(it.value());
    if (!number) throw FormatError(source, "vocab.json: token '" + it.key() + "': expected an integer id");
    const auto id = *number;
    if (id < 0 || id >= static_cast<int64_t>(j.size()))
      throw FormatError(source, "vocab.json: token '" + it.key() + "' has id " + std::to_string(id) +
                                    "; expected ids 0.." + std::to_string(j.size() - 1));
    if (seen[id]) throw FormatError(source, "vocab.json: id " + std::to_string(id) + " is given twice");
    seen[id] = true;
    v.tokens_[id] = it.key();
  }
  v.index();
  if (v.blank_ < 0)
    throw FormatError(source, "vocab.json has no CTC blank: expected a [PAD] or <pad> token (HF's pad_token)");
  return v;
}

Vocabulary Vocabulary::load(const std::filesystem::path& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path, std::string("not valid JSON: ") + e.what());
  }
  return from_json(j, path.string());
}

nlohmann::json Vocabulary::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < tokens_.size(); ++i) j[tokens_[i]] = i;
  return j;
}

const std::string& Vocabulary::token(int64_t id) const {
  if (id < 0 || id >= size())
    throw invalid_argument("token id", "in [0, " + std::to_string(size()) + ")", std::to_string(id));
  return tokens_[id];
}

int64_t Vocabulary::id_of(std::string_view t) const {
  for (size_t i = 0; i < tokens_.size(); ++i)
    if (tokens_[i] == t) return static_cast<int64_t>(i);
  return -1;
}

EncodedText Vocabulary::encode(std::string_view transcript, OovPolicy oov) const {
  EncodedText out;
  const auto words = corpus::normalize_words(transcript);
  const int64_t space = delimiter_ >= 0 ? delimiter_ : id_of(" ");
  for (size_t w = 0; w < words.size(); ++w) {
    if (w > 0 && space >= 0) out.ids.push_back(space);
    for (char c : words[w]) {
      const int64_t id = id_of(std::string_view(&c, 1));
      if (id >= 0) {
        out.ids.push_back(id);
        continue;
      }
      ++out.unknown_characters;
      if (oov == OovPolicy::Skip) continue;
      if (unk_ < 0)
        throw invalid_argument("transcript", "characters of the vocabulary (it has no [UNK] to map others to)",
                               "'" + std::string(1, c) + "' in '" + std::string(transcript) + "'");
      out.ids.push_back(unk_);
    }
  }
  return out;
}

std::string Vocabulary::decode(const std::vector<int64_t>& ids) const {
  std::string text;
  for (auto id : ids) {
    const auto& t = token(id);
    if (id == delimiter_ || t == " ") {
      if (!text.empty() && text.back() != ' ') text += ' ';
    } else if (!is_special(t)) {
      text += t;
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace speechleak::asr
