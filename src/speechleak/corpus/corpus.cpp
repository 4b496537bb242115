#include "speechleak/corpus/corpus.h"

#include <algorithm>
#include <sstream>

#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::corpus {

AudioSource AudioSource::file(std::string path) {
  AudioSource s;
  s.kind = Kind::File;
  s.path = std::move(path);
  return s;
}

AudioSource AudioSource::segment(std::string path, double start_s, double end_s) {
  AudioSource s;
  s.kind = Kind::Segment;
  s.path = std::move(path);
  s.start_s = start_s;
  s.end_s = end_s;
  return s;
}

AudioSource AudioSource::piped(std::string command) {
  AudioSource s;
  s.kind = Kind::Command;
  s.command = std::move(command);
  return s;
}

std::string AudioSource::describe() const {
  switch (kind) {
    case Kind::File: return path;
    case Kind::Segment: return path + "[" + text::general(start_s) + ":" + text::general(end_s) + "]";
    case Kind::Command: return command + " |";
  }
  return path;
}

const Utterance* Corpus::find(const std::string& utt_id) const {
  auto it = std::lower_bound(utterances.begin(), utterances.end(), utt_id,
                             [](const Utterance& u, const std::string& id) { return u.id < id; });
  return (it != utterances.end() && it->id == utt_id) ? &*it : nullptr;
}

std::vector<std::string> Corpus::speaker_ids() const {
  std::vector<std::string> ids;
  for (const auto& u : utterances) ids.push_back(u.speaker_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::map<std::string, std::vector<const Utterance*>> Corpus::utterances_by_speaker() const {
  std::map<std::string, std::vector<const Utterance*>> out;
  for (const auto& u : utterances) out[u.speaker_id].push_back(&u);
  return out;
}

void Corpus::finalize() {
  std::sort(utterances.begin(), utterances.end(), [](const Utterance& a, const Utterance& b) { return a.id < b.id; });
  for (size_t i = 1; i < utterances.size(); ++i)
    if (utterances[i].id == utterances[i - 1].id)
      throw FormatError(utterances[i].source.describe(), "duplicate utterance id '" + utterances[i].id +
                                                             "' (also " + utterances[i - 1].source.describe() + ")");
  for (const auto& u : utterances) {
    auto& spk = speakers[u.speaker_id];
    if (spk.id.empty()) spk.id = u.speaker_id;
  }
}

void Corpus::merge(const Corpus& other) {
  utterances.insert(utterances.end(), other.utterances.begin(), other.utterances.end());
  for (const auto& [id, speaker] : other.speakers) speakers.emplace(id, speaker);
  finalize();
}

}  // namespace speechleak::corpus
