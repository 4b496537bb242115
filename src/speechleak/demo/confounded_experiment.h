#pragma once
// `speechleak experiment confounded`: what a confounded evaluation split does to membership AUCs, and how the blind
// baseline gives it away (docs/results.md). The seed paper's authors took members from LibriSpeech train-clean and
// non-members (and the auxiliary set) from dev/test, "other" included; here in miniature:
//
//   clean split       the demo as it is (demo.h): members, non-members and aux from one clean synthesis;
//   confounded split  the same model and members, but non-members and aux from the same synthesis with background
//                     noise (the preset's corpus, --noise-snr): a recording-condition difference between the sides.
//
// The same audit (the demo's attacks, seeds and direction rule) runs on both; OUT/confounded.md puts the blind
// baseline and every attack's AUC side by side; OUT/confounded.json, and the confounded run in OUT/run-confounded.
#include <filesystem>
#include <string>

#include "speechleak/demo/demo.h"

namespace speechleak::demo {

struct ConfoundedStudyOptions {
  double snr_min_db = 0, snr_max_db = 10;  // the noisy side's background noise, drawn per utterance
};

struct ConfoundedStudyResult {
  DemoResult clean;                        // the demo (its run directory is the clean split's audit)
  std::filesystem::path noisy_corpus, run_dir, table, record;
  audit::AuditResult confounded;
  std::string markdown;
};

ConfoundedStudyResult run_confounded_study(const DemoPreset& preset, const std::filesystem::path& out,
                                           const DemoOptions& options = {}, const ConfoundedStudyOptions& study = {});

}  // namespace speechleak::demo
