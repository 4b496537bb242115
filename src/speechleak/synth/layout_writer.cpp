#include "speechleak/synth/layout_writer.h"

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "speechleak/audio/audio_io.h"
#include "speechleak/corpus/ctm.h"
#include "speechleak/corpus/textgrid.h"
#include "speechleak/corpus/tsv_manifest.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/text.h"

namespace speechleak::synth {
namespace fs = std::filesystem;
namespace {

template <typename F>
void for_each_utterance(const CorpusPlan& plan, const std::string& split, F&& f) {
  for (const auto& ch : plan.chapters)
    if (split.empty() || ch.split == split)
      for (const auto& u : ch.utterances) f(u);
}

corpus::Speaker speaker_of(const CorpusPlan& plan, const std::string& id) {
  const Voice& v = plan.voices.at(id);
  corpus::Speaker s;
  s.id = id;
  s.sex = std::string(1, v.sex);
  s.subset = plan.speaker_split.at(id);
  s.name = v.describe();
  return s;
}

// The utterances of one split (all of them, or only canaries with the given inserted flag; `originals`: without
// the repeats of inserted canaries) as a Corpus.
corpus::Corpus split_corpus(const fs::path& root, const CorpusPlan& plan, const RecordMap& records,
                            const std::string& split, int inserted = -1, bool originals = false) {
  corpus::Corpus c;
  c.spec = root.string();
  for_each_utterance(plan, split, [&](const UtterancePlan& u) {
    if (inserted >= 0 && u.inserted != (inserted == 1)) return;
    if (originals && u.original_id != u.id) return;
    corpus::Utterance x;
    x.id = u.id;
    x.speaker_id = u.speaker_id;
    x.source = corpus::AudioSource::file(audio_path(root, u).string());
    x.transcript = u.sentence.transcript();
    x.subset = split;
    x.chapter_id = u.chapter_id;
    x.duration_s = records.at(u.id).duration_s;
    c.utterances.push_back(std::move(x));
    c.speakers.emplace(u.speaker_id, speaker_of(plan, u.speaker_id));
  });
  c.finalize();
  return c;
}

void write_split_files(const fs::path& root, const CorpusPlan& plan, const RecordMap& records,
                       const std::string& split) {
  corpus::ManifestWriteOptions opt;
  opt.relative_paths = true;
  corpus::write_manifest(root / (split + ".tsv"), split_corpus(root, plan, records, split), opt);
  corpus::AlignmentMap alignments;
  for_each_utterance(plan, split, [&](const UtterancePlan& u) { alignments[u.id] = records.at(u.id).words; });
  corpus::write_ctm(root / (split + ".ctm"), alignments);
}

void write_canary_manifests(const fs::path& root, const CorpusPlan& plan, const RecordMap& records) {
  corpus::ManifestWriteOptions opt;
  opt.relative_paths = true;
  corpus::ManifestExtras extras;
  extras.columns = {"canary_set", "name", "name_word_index", "original"};
  for_each_utterance(plan, kCanarySplit, [&](const UtterancePlan& u) {
    const auto& names = u.sentence.names;
    extras.values[u.id] = {u.inserted ? "inserted" : "heldout", names.empty() ? "" : names[0].text(),
                           names.empty() ? "-1" : std::to_string(names[0].word_index), u.original_id};
  });
  corpus::write_manifest(root / "canaries.tsv", split_corpus(root, plan, records, kCanarySplit), opt, &extras);
  // Inserted with their repeats (what goes into training data); the distinct inserted canaries (what an attack
  // targets, each once); the held-out half.
  corpus::write_manifest(root / "canaries-inserted.tsv", split_corpus(root, plan, records, kCanarySplit, 1), opt);
  corpus::write_manifest(root / "canaries-targets.tsv", split_corpus(root, plan, records, kCanarySplit, 1, true),
                         opt);
  corpus::write_manifest(root / "canaries-heldout.tsv", split_corpus(root, plan, records, kCanarySplit, 0), opt);
}

std::string speakers_txt(const CorpusPlan& plan, const RecordMap& records, const std::string& espeak_version) {
  std::map<std::string, double> seconds;
  for_each_utterance(plan, "", [&](const UtterancePlan& u) { seconds[u.speaker_id] += records.at(u.id).duration_s; });
  std::string out = "; Synthetic speakers made by speechleak synth with espeak-ng " + espeak_version +
                    " (voice parameters: voices.tsv)\n;ID  |SEX| SUBSET     |MINUTES| NAME\n";
  for (const auto& [id, voice] : plan.voices) {
    out += text::pad_right(id, 5) + "| " + voice.sex + " | " + text::pad_right(plan.speaker_split.at(id), 11) + "| " +
           text::pad_left(text::fixed(seconds[id] / 60.0, 2), 6) + " | " + voice.describe() + "\n";
  }
  return out;
}

nlohmann::json splits_json(const CorpusPlan& plan, const RecordMap& records) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [split, speakers] : plan.split_speakers) {
    size_t n = 0;
    double seconds = 0;
    for_each_utterance(plan, split, [&](const UtterancePlan& u) {
      ++n;
      seconds += records.at(u.id).duration_s;
    });
    j[split] = {{"speakers", speakers}, {"utterances", n}, {"audio_s", seconds},
                {"manifest", split + ".tsv"}, {"ctm", split + ".ctm"}};
  }
  return j;
}

}  // namespace

fs::path chapter_dir(const fs::path& root, const UtterancePlan& u) {
  return root / u.split / u.speaker_id / u.chapter_id;
}
fs::path audio_path(const fs::path& root, const UtterancePlan& u) { return chapter_dir(root, u) / (u.id + ".flac"); }
fs::path textgrid_path(const fs::path& root, const UtterancePlan& u) {
  return chapter_dir(root, u) / (u.id + ".TextGrid");
}

void write_utterance(const fs::path& root, const UtterancePlan& u, const RenderedUtterance& r) {
  audio::write_audio(audio_path(root, u), r.audio);
  corpus::write_textgrid(textgrid_path(root, u), r.words, r.audio.duration_s());
}

void write_transcripts(const fs::path& root, const ChapterPlan& chapter) {
  if (chapter.utterances.empty()) return;
  std::string text;
  for (const auto& u : chapter.utterances) text += u.id + " " + u.sentence.transcript() + "\n";
  const auto& first = chapter.utterances.front();
  write_text_file_atomically(chapter_dir(root, first) / (first.speaker_id + "-" + first.chapter_id + ".trans.txt"),
                             text);
}

std::string names_tsv(const CorpusPlan& plan, const RecordMap& records) {
  std::map<std::string, std::string> rows;  // by utterance id
  for_each_utterance(plan, "", [&](const UtterancePlan& u) {
    const auto& words = records.at(u.id).words;
    for (const auto& m : u.sentence.names) {
      const auto& first = words.at(m.word_index);
      const auto& last = words.at(m.word_index + m.num_words - 1);
      rows[u.id] += u.split + "\t" + u.id + "\t" + u.speaker_id + "\t" + m.text() + "\t" + m.first + "\t" +
                    m.surname + "\t" + std::to_string(m.word_index) + "\t" + std::to_string(m.num_words) + "\t" +
                    text::fixed(first.start_s, 6) + "\t" + text::fixed(last.end_s, 6) + "\n";
    }
  });
  std::string out = "split\tutt_id\tspeaker_id\tname\tfirst_name\tsurname\tword_index\tnum_words\tstart_s\tend_s\n";
  for (const auto& [id, r] : rows) out += r;
  return out;
}

void write_corpus_files(const fs::path& root, const CorpusPlan& plan, const RecordMap& records,
                        const std::string& espeak_version) {
  write_text_file_atomically(root / "SPEAKERS.TXT", speakers_txt(plan, records, espeak_version));
  std::string voices = voices_tsv_header();
  for (const auto& [id, v] : plan.voices) voices += voices_tsv_row(v, plan.speaker_split.at(id));
  write_text_file_atomically(root / "voices.tsv", voices);
  write_text_file_atomically(root / "splits.json", splits_json(plan, records).dump(2) + "\n");
  write_text_file_atomically(root / "names.tsv", names_tsv(plan, records));
  for (const auto& [split, speakers] : plan.split_speakers) {
    if (split == kCanarySplit) write_canary_manifests(root, plan, records);
    else if (!speakers.empty()) write_split_files(root, plan, records, split);
  }
  if (plan.split_speakers.count(kCanarySplit)) {
    corpus::AlignmentMap alignments;
    for_each_utterance(plan, kCanarySplit, [&](const UtterancePlan& u) { alignments[u.id] = records.at(u.id).words; });
    corpus::write_ctm(root / (kCanarySplit + ".ctm"), alignments);
  }
}

}  // namespace speechleak::synth
