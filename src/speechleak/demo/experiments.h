#pragma once
// Studies built from demo runs that share one corpus (docs/results.md). The reversal study is the seed paper's
// Tables 3 and 4 in shape: pretrain on time-reversed waveforms (a naive defense) and attack with plain and with
// reversed audio; the families study its Table 1 (one encoder per pretraining objective). Each cell is a demo
// variant (demo.h), so its model and run directory are cached and reusable.
#include <filesystem>
#include <string>
#include <vector>

#include "speechleak/demo/demo.h"

namespace speechleak::demo {

struct StudyCell {
  std::string label;  // e.g. "model: reversed / attack: plain"
  DemoResult result;
};

struct StudyResult {
  std::string name;
  std::vector<StudyCell> cells;
  std::filesystem::path report;  // the comparison report (empty when it could not be written)
};

// Runs the four cells {plain, reversed-audio pretraining} x {plain, reversed attack audio} into OUT, then writes
// OUT/reversal.md (the table), OUT/reversal.json and OUT/reversal.html (the four runs side by side).
StudyResult run_reversal_study(const DemoPreset& preset, const std::filesystem::path& out,
                               const DemoOptions& options = {});

// The seed paper's Table 1 in shape, for the objectives speechleak pretrains: the preset's recipe with the HuBERT
// objective, with wav2vec 2.0's and with TERA's (DemoVariant::objective; TERA on log-mel input), the same corpus and
// the same audit. Writes OUT/families.{md,json,html}. (CPC, the paper's fourth row, is not built.)
StudyResult run_families_study(const DemoPreset& preset, const std::filesystem::path& out,
                               const DemoOptions& options = {});

// The seed paper's Table 2 in shape: the preset's recipe at three model sizes (the tiny, mini and small
// architectures, the same steps) and on three amounts of pretraining data at the same step budget (the pretrain
// split's speakers alone, then with as many and twice as many extra speakers whom no audit scores: the corpus gains
// an extra split of 2 x pretrain_speakers, so it is not the demo's corpus), every cell audited on the same members
// and non-members. Writes OUT/ablations.{md,json,html}.
StudyResult run_ablations_study(const DemoPreset& preset, const std::filesystem::path& out,
                                const DemoOptions& options = {});

// A markdown table: one row per (level, attack), one column per cell, "AUC [lower, upper]" in each.
std::string format_study_table(const StudyResult& study);

}  // namespace speechleak::demo
