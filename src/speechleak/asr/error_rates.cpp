#include "speechleak/asr/error_rates.h"

#include <algorithm>

#include "speechleak/corpus/words.h"

namespace speechleak::asr {

double EditCounts::rate() const {
  if (reference == 0) return errors() == 0 ? 0.0 : static_cast<double>(errors());
  return static_cast<double>(errors()) / static_cast<double>(reference);
}

EditCounts& EditCounts::operator+=(const EditCounts& o) {
  substitutions += o.substitutions, deletions += o.deletions, insertions += o.insertions, reference += o.reference;
  return *this;
}

EditCounts edit_counts(const std::vector<std::string>& ref, const std::vector<std::string>& hyp) {
  const size_t n = ref.size(), m = hyp.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j)
      d[i][j] = std::min({d[i - 1][j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1), d[i - 1][j] + 1, d[i][j - 1] + 1});
  EditCounts c;
  c.reference = n;
  size_t i = n, j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] != hyp[j - 1]) ++c.substitutions;
      --i, --j;
    } else if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
      ++c.deletions, --i;
    } else {
      ++c.insertions, --j;
    }
  }
  return c;
}

EditCounts word_errors(std::string_view reference, std::string_view hypothesis) {
  return edit_counts(corpus::normalize_words(reference), corpus::normalize_words(hypothesis));
}

EditCounts character_errors(std::string_view reference, std::string_view hypothesis) {
  auto chars = [](std::string_view text) {
    std::vector<std::string> out;
    for (char c : corpus::normalize_text(text)) out.emplace_back(1, c);
    return out;
  };
  return edit_counts(chars(reference), chars(hypothesis));
}

void ErrorTally::add(const std::string& speaker, std::string_view reference, std::string_view hypothesis) {
  const auto w = word_errors(reference, hypothesis);
  const auto c = character_errors(reference, hypothesis);
  for (auto* t : {&overall, &by_speaker[speaker]}) {
    t->words += w;
    t->characters += c;
    ++t->utterances;
  }
}

}  // namespace speechleak::asr
