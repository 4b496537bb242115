#pragma once
// `speechleak experiment confounded`: what a confounded evaluation split does to membership AUCs, and how the blind
// baseline gives it away (docs/results.md). The seed paper's authors took members from LibriSpeech train-clean and
// both the evaluation non-members and the auxiliary set from one pool, dev/test clean AND other. In miniature, with
// the demo's model:
//
//   clean      the demo as it is (demo.h): members, non-members and aux from one clean synthesis, aux disjoint;
//   paper      the same members; non-members = aux = one pool, the aux split's speakers with every other speaker
//              taken from the same synthesis with background noise (the preset's corpus, --noise-snr);
//   null       the paper's split with "members" the model never trained on (the clean heldout speakers): every AUC
//              away from 0.5 there is the split, not memorisation.
//
// The demo's audit (attacks, seeds, direction rule) runs on each; OUT/confounded.md puts the blind baseline and
// every attack's AUC side by side; OUT/confounded.json; the runs in OUT/run-confounded-{paper,null}.
#include <filesystem>
#include <string>

#include "speechleak/demo/demo.h"

namespace speechleak::demo {

struct ConfoundedStudyOptions {
  double snr_min_db = 0, snr_max_db = 10;  // the noisy speakers' background noise, drawn per utterance
};

struct ConfoundedStudyResult {
  DemoResult clean;                        // the demo (its run directory is the clean split's audit)
  std::filesystem::path noisy_corpus, pool, table, record;
  audit::AuditResult paper, null_model;    // the paper's split with the real members, and with unseen "members"
  std::string markdown;
};

ConfoundedStudyResult run_confounded_study(const DemoPreset& preset, const std::filesystem::path& out,
                                           const DemoOptions& options = {}, const ConfoundedStudyOptions& study = {});

}  // namespace speechleak::demo
