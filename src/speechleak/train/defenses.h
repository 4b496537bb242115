#pragma once
// Pretraining-time defenses as data transforms (docs/pretraining.md):
//   --sanitize-names  drop utterances that mention a name (corpus level, before anything is decoded)
//   --silence-names   replace the aligned audio of every name mention by silence (per utterance, once)
//   --reverse-audio   time-reverse every waveform (per utterance, once; after silencing, whose times are forward)
//   --noise-augment   multi-style training: additive noise at an SNR drawn per (epoch, utterance) (data_pipeline)
//
// Names: a names file, either the synthetic corpus's names.tsv (header with utt_id, name, start_s, end_s: exact
// mention spans per utterance, and the set of names) or a plain list (one name per line, '#' comments; multi-word
// names allowed). With a plain list, mentions are found by matching the name words, case-insensitively and ignoring
// punctuation, against the utterance's word alignment (silencing) or transcript (sanitising).
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/spec.h"
#include "speechleak/train/pretrain_config.h"

namespace speechleak::train {

struct NameMention {
  std::string name;  // upper case
  double start_s = 0, end_s = 0;
};

struct NameList {
  std::filesystem::path source;
  bool from_names_tsv = false;
  std::vector<std::vector<std::string>> names;                    // each name as upper-case words
  std::map<std::string, std::vector<NameMention>> mentions;      // names.tsv rows by utterance id

  // Throws FileError / FormatError naming the file and line.
  static NameList load(const std::filesystem::path& path);
};

// The names file to use: `option` when given, else names.tsv next to the corpus (the LibriSpeech root, or the
// manifest's directory). Throws InvalidArgument naming --names when there is none.
std::filesystem::path resolve_names_file(const std::string& option, const corpus::CorpusSpec& spec);

// Upper-case words of a transcript with ASCII punctuation removed (apostrophes too, hyphens split words).
std::vector<std::string> normalise_words(std::string_view text);

// Whether the utterance mentions a name: it has names.tsv rows, or its transcript (else its aligned words)
// contains a listed name.
bool mentions_name(const NameList& names, const corpus::Utterance& utterance);

// Time spans of the name mentions of one utterance: names.tsv rows when the list came from names.tsv and has rows
// for it, otherwise matches against the utterance's word alignment. `aligned` is set false when the utterance has
// no alignment and nothing could be located (the caller reports it).
std::vector<NameMention> locate_mentions(const NameList& names, const corpus::Utterance& utterance, bool* aligned);

struct SanitizeReport {
  size_t kept = 0;
  std::vector<std::string> dropped;  // utterance ids, sorted
};

// Removes the utterances that mention a name (corpus.utterances stays sorted; speakers left without utterances
// are removed too).
SanitizeReport sanitize_names(corpus::Corpus& corpus, const NameList& names);

// Sets [start_s, end_s) of every mention to zero (audio::replace_span with SpanFill::Silence). Returns the seconds
// silenced.
double silence_mentions(std::span<float> samples, int sample_rate, const std::vector<NameMention>& mentions);

// Noise of the multi-style defense for one (epoch, utterance): whether it applies (noise_prob) and the SNR drawn,
// from the stream `seed`. Returns NaN when no noise is added.
double draw_noise_snr(const DefenseConfig& config, uint64_t seed);
// Adds the noise drawn by draw_noise_snr (no-op for NaN). Returns the SNR used.
double apply_noise_defense(std::span<float> samples, int sample_rate, const DefenseConfig& config, uint64_t seed);

}  // namespace speechleak::train
