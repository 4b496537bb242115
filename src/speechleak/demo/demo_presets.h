#pragma once
// The recipes of `speechleak demo`: one synthetic corpus, one small self-pretrained model and one audit, sized so
// that the whole pipeline runs on a laptop's CPU in minutes (docs/demo.md). Every value lives in demo_presets.cpp,
// in one table, so the presets can be retuned without touching the pipeline.
#include <string>
#include <vector>

#include "speechleak/asr/finetune_config.h"
#include "speechleak/audit/audit.h"
#include "speechleak/noise_masking/config.h"
#include "speechleak/synth/config.h"
#include "speechleak/train/pretrain_config.h"

namespace speechleak::demo {

struct DemoPreset {
  std::string name, description;
  synth::SynthConfig synth;
  // Everything but `corpus`, which run_demo sets to the demo's own corpus (librispeech:<corpus>:pretrain).
  train::PretrainConfig pretrain;
  // Seeds follow `speechleak audit --seed S` (attackers S and S+1, bootstrap S), so the audit command that the demo
  // prints reproduces its numbers.
  audit::AuditConfig audit;
  // The noise-masking stage: the recogniser (everything but `pretrained` and `corpus`, set by run_demo to the demo
  // model and the corpus's finetune split) and the attack.
  asr::FinetuneConfig finetune;
  noise_masking::NoiseMaskConfig noise_mask;
};

// "quick" (the default: a few minutes on 2 cores), "full" (bigger splits, tighter intervals) and "test" (seconds;
// for the test suite, its numbers mean nothing). Throws InvalidArgument naming --preset and listing the names.
DemoPreset demo_preset(const std::string& name);
std::vector<std::string> demo_preset_names();

// Throws InvalidArgument when a part of the preset is invalid or the audit needs more auxiliary data than the corpus
// has (the improved attacks draw 2k pseudo-labelled items per side: 4k aux utterances, 4k_speaker aux speakers).
void validate_preset(const DemoPreset& preset);


}  // namespace speechleak::demo
