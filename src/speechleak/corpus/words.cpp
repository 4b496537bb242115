#include "speechleak/corpus/words.h"

#include <cctype>

#include "speechleak/util/text.h"

namespace speechleak::corpus {

std::vector<std::string> normalize_words(std::string_view text) {
  std::string cleaned;
  cleaned.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '-') cleaned += ' ';
    else if (c < 0x80 && std::ispunct(c)) continue;
    else cleaned += static_cast<char>(c < 0x80 ? std::toupper(c) : c);
  }
  return text::split_ws(cleaned);
}

std::string normalize_text(std::string_view text) { return text::join(normalize_words(text), " "); }

}  // namespace speechleak::corpus
