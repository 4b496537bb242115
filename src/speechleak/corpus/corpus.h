#pragma once
// The in-memory model of a speech corpus, whatever format it came from. Readers (one per format) fill it;
// audio is not decoded here, only located (see utterance_audio.h).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "speechleak/util/skip_report.h"

namespace speechleak::corpus {

// Where an utterance's audio comes from.
struct AudioSource {
  enum class Kind { File, Segment, Command };
  Kind kind = Kind::File;
  std::string path;      // File, Segment: the audio file
  double start_s = 0.0;  // Segment: [start_s, end_s) inside the file
  double end_s = -1.0;
  std::string command;   // Command: a shell command whose stdout is an audio file (Kaldi "cmd |")
  int channel = -1;      // -1 mixes down; k selects channel k

  static AudioSource file(std::string path);
  static AudioSource segment(std::string path, double start_s, double end_s);
  static AudioSource piped(std::string command);
  // "path", "path[start:end]" or "cmd |": for messages and manifests.
  std::string describe() const;
};

// One word of a word-level alignment, times in seconds from the start of the utterance's audio.
struct WordSpan {
  std::string word;
  double start_s = 0.0;
  double end_s = 0.0;
};

struct Utterance {
  std::string id;
  std::string speaker_id;
  AudioSource source;
  std::optional<std::string> transcript;
  std::optional<std::vector<WordSpan>> alignment;  // words only (silences dropped)
  std::string subset;      // e.g. "train-clean-100"; empty when the format has none
  std::string chapter_id;  // LibriSpeech chapter, when known
  double duration_s = -1;  // when known without decoding (manifests, probed headers); < 0 unknown
};

struct Speaker {
  std::string id;
  std::string sex;     // "F", "M" or empty when unknown
  std::string subset;  // LibriSpeech subset column, VCTK accent region, ...
  std::string name;    // LibriSpeech reader name, when present
  std::map<std::string, std::string> metadata;  // any further columns (age, accent, minutes, voice params...)
};

struct Corpus {
  std::string spec;  // the spec it was read from, for records
  std::vector<Utterance> utterances;        // sorted by id
  std::map<std::string, Speaker> speakers;  // every speaker that has at least one utterance (and metadata ones)
  SkipReport skipped;                       // items the reader could not use, with reasons

  const Utterance* find(const std::string& utt_id) const;  // binary search; nullptr when absent
  // Speakers that own at least one utterance, sorted.
  std::vector<std::string> speaker_ids() const;
  std::map<std::string, std::vector<const Utterance*>> utterances_by_speaker() const;
  // Keeps the invariants: utterances sorted by id, ids unique (throws FormatError naming the duplicate),
  // every utterance's speaker present in `speakers` (added with empty metadata when missing).
  void finalize();
  // Adds `other`'s utterances and speakers (speaker metadata already here wins), then finalize(): a repeated
  // utterance id is a FormatError naming both sources.
  void merge(const Corpus& other);
};

}  // namespace speechleak::corpus
