#pragma once
// `speechleak experiment canaries`: the one-run canary audit end to end on speechleak-pretrained models
// (docs/results.md). For each canary unit (utterance canaries by a few new voices; speaker canaries, each a new
// voice inserted whole) the demo preset's corpus is synthesised with the canaries, a model is pretrained on the
// pretrain split plus the inserted canaries (the demo's recipe, with and without each defense), and the canary
// audit (pipeline/canary_audit.h) scores every canary: epsilon lower bound, exposure.
//
// OUT/corpus-<hash>/ (one per unit), OUT/canaries-<unit>[-<defense>]/ (pretrain.tsv, audit/), OUT/models/<hash>/;
// OUT/canaries.md, canaries.json written last.
#include <filesystem>
#include <string>
#include <vector>

#include "speechleak/demo/demo.h"
#include "speechleak/pipeline/canary_audit.h"

namespace speechleak::demo {

struct CanaryStudyOptions {
  int utterance_canaries = 64, utterance_voices = 8;   // m utterance canaries spoken by this many new voices
  int speaker_canaries = 24, utts_per_speaker = 4;     // m speaker canaries of this many utterances each
  std::vector<std::string> defenses = {"", "noise-augment"};  // "" = none; defenses needing names are refused
  double guess_fraction = 0.25;                        // k+ = k- = fraction x m, fixed before scoring
};

struct CanaryStudyCell {
  std::string unit, defense;  // defense "" = none
  std::filesystem::path model, audit_dir;
  pipeline::CanaryAuditResult result;
};

struct CanaryStudyResult {
  std::filesystem::path out, table, record;
  std::vector<CanaryStudyCell> cells;
  std::string markdown;
};

CanaryStudyResult run_canary_study(const DemoPreset& preset, const std::filesystem::path& out,
                                   const DemoOptions& options = {}, const CanaryStudyOptions& study = {});

}  // namespace speechleak::demo
