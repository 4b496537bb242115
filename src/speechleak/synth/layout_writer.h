#pragma once
// Writes a synthetic corpus in LibriSpeech layout, plus speechleak's own side files:
//
//   <root>/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<NNNN>.flac      16 kHz, 16-bit FLAC
//   <root>/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<NNNN>.TextGrid  word alignment (MFA long format)
//   <root>/<split>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt
//   <root>/SPEAKERS.TXT      LibriSpeech syntax, SUBSET = split
//   <root>/voices.tsv        each speaker's espeak-ng voice parameters
//   <root>/splits.json       speakers, utterance counts and seconds of every split
//   <root>/<split>.tsv       speechleak TSV manifest (paths relative to <root>)
//   <root>/<split>.ctm       word alignments of the split
//   <root>/names.tsv         every person-name mention, with word index and times
//   <root>/canaries.tsv      canary manifest with canary_set (inserted | heldout) and name columns, and
//   <root>/canaries-inserted.tsv, <root>/canaries-heldout.tsv   plain manifests of each half
// Splits are the directories pretrain, aux, heldout, finetune and canaries. Every file is written atomically.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/synth/plan.h"
#include "speechleak/synth/render.h"

namespace speechleak::synth {

// What the corpus-level files need of one synthesised utterance.
struct UtteranceRecord {
  std::vector<corpus::WordSpan> words;
  double duration_s = 0;
};
using RecordMap = std::map<std::string, UtteranceRecord>;  // utterance id -> record

std::filesystem::path chapter_dir(const std::filesystem::path& root, const UtterancePlan& u);
std::filesystem::path audio_path(const std::filesystem::path& root, const UtterancePlan& u);
std::filesystem::path textgrid_path(const std::filesystem::path& root, const UtterancePlan& u);

// The FLAC and the TextGrid of one utterance.
void write_utterance(const std::filesystem::path& root, const UtterancePlan& u, const RenderedUtterance& r);
// <speaker>-<chapter>.trans.txt
void write_transcripts(const std::filesystem::path& root, const ChapterPlan& chapter);

// Everything but the per-utterance files and synth.json. `records` must hold every planned utterance.
void write_corpus_files(const std::filesystem::path& root, const CorpusPlan& plan, const RecordMap& records,
                        const std::string& espeak_version);

// Header line and rows of names.tsv, for `utterances` in id order.
std::string names_tsv(const CorpusPlan& plan, const RecordMap& records);

}  // namespace speechleak::synth
