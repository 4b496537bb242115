#pragma once
// Names spoken in a corpus and where they are said: the input of the name defenses (train/defenses.h) and of the
// noise-masking attack.
//
// A names file is either the synthetic corpus's names.tsv (header with utt_id, name, start_s, end_s: exact mention
// spans per utterance, and the set of names) or a plain list (one name per line, '#' comments; multi-word names
// allowed). With a plain list, mentions are found by matching the name words against the utterance's word
// alignment or transcript, all normalised by normalize_words (words.h): case and punctuation do not matter.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/spec.h"

namespace speechleak::corpus {

struct NameMention {
  std::string name;  // normalised words joined by spaces
  double start_s = 0, end_s = 0;
};

struct NameList {
  std::filesystem::path source;
  bool from_names_tsv = false;
  std::vector<std::vector<std::string>> names;                    // each name as normalised words
  std::map<std::string, std::vector<NameMention>> mentions;      // names.tsv rows by utterance id

  // Throws FileError / FormatError naming the file and line.
  static NameList load(const std::filesystem::path& path);
};

// The names file to use: `option` when given, else names.tsv next to the corpus (the LibriSpeech root, or the
// manifest's directory). Throws InvalidArgument naming --names when there is none.
std::filesystem::path resolve_names_file(const std::string& option, const CorpusSpec& spec);

// Positions [first, first + length) in normalised `words` where a listed name occurs; the longest name wins at
// each position ("ALICE MORGAN" over "ALICE") and matches do not overlap.
std::vector<std::pair<size_t, size_t>> find_names(const NameList& names, const std::vector<std::string>& words);

// Whether the utterance mentions a name: it has names.tsv rows, or its transcript (else its aligned words)
// contains a listed name.
bool mentions_name(const NameList& names, const Utterance& utterance);

// Time spans of the name mentions of one utterance: names.tsv rows when the list came from names.tsv and has rows
// for it, otherwise matches against the utterance's word alignment. `aligned` is set false when the utterance has
// no alignment and nothing could be located (the caller reports it).
std::vector<NameMention> locate_mentions(const NameList& names, const Utterance& utterance, bool* aligned);

struct SanitizeReport {
  size_t kept = 0;
  std::vector<std::string> dropped;  // utterance ids, sorted
};

// Removes the utterances that mention a name (corpus.utterances stays sorted; speakers left without utterances
// are removed too).
SanitizeReport sanitize_names(Corpus& corpus, const NameList& names);

}  // namespace speechleak::corpus
