#pragma once
// speechleak synth: plan, speak, and write a synthetic corpus (layout in layout_writer.h, options in config.h).
//
// Atomicity and re-runs (docs/synth.md):
//  - The corpus is built in "<out>.partial" and renamed to <out> only when complete, with synth.json (config,
//    seed, versions, counts) written last; an interrupted run never looks like a corpus.
//  - Work is saved per chapter (one speaker in one split): "<out>.partial/.synth-state" keeps the identity of the
//    run (options and versions) and one record per finished chapter. Re-running with the SAME options resumes,
//    skipping finished chapters; since every chapter is synthesised from a pristine espeak-ng state
//    (espeak_engine.h), the result is byte-identical to an uninterrupted run.
//  - Different options refuse with an error saying what differs: for a partial run ("delete <out>.partial to start
//    over") and for a finished corpus at <out>. A finished corpus with the same options is left as it is.
//  - <out> existing with other content (no synth.json) is refused; an empty <out> directory is replaced.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "speechleak/synth/config.h"
#include "speechleak/util/progress.h"

namespace speechleak::synth {

struct SynthSummary {
  std::filesystem::path root;
  size_t utterances = 0;
  double audio_s = 0;
  size_t chapters_synthesised = 0;
  size_t chapters_resumed = 0;      // loaded from an interrupted run's saved state
  bool already_complete = false;    // <out> held this corpus already; nothing was written
};

// What makes two runs the same corpus: the options, the speechleak and espeak-ng versions, and the plan's
// fingerprint (plan.h).
nlohmann::json run_identity(const SynthConfig& config);

// Throws InvalidArgument for invalid options, speechleak::Error when <out> cannot be used (see above) or
// espeak-ng fails. Progress: stage "synthesise", one report per chapter, work in seconds of audio.
SynthSummary generate_corpus(const std::filesystem::path& out, const SynthConfig& config,
                             const ProgressCallback& progress = {});

}  // namespace speechleak::synth
