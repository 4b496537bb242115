#pragma once
// The one word normaliser of speechleak. Every comparison of words uses it: names against transcripts and word
// alignments (defenses, the noise-masking attack), aligned words against transcripts (attach_alignments), and
// recognised words against references (WER/CER).
//
// Rule: ASCII letters are upper-cased (other bytes, e.g. UTF-8, are kept as they are); a hyphen separates words
// ("WELL-KNOWN" -> WELL KNOWN); every other ASCII punctuation character, apostrophes included, is removed
// ("DON'T" -> DONT, "Mr." -> MR); the rest is split on whitespace and empty tokens are dropped.
#include <string>
#include <string_view>
#include <vector>

namespace speechleak::corpus {

std::vector<std::string> normalize_words(std::string_view text);
// The normalised words joined by single spaces.
std::string normalize_text(std::string_view text);

}  // namespace speechleak::corpus
