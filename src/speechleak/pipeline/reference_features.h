#pragma once
// The audit pipeline's side of the calibrated attacks: which signal the models are scored with, and every finished
// reference run's features of the audit's roles (RUN/references/<run>/features/<role>, resumable stores like the target's),
// with what each run trained on (audit/calibrated_attacks.h, references/reference_runs.h).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "speechleak/audit/audit.h"
#include "speechleak/features/utterance_signal.h"
#include "speechleak/pipeline/roles.h"
#include "speechleak/references/reference_runs.h"
#include "speechleak/util/progress.h"

namespace speechleak::encoder {
class Encoder;
}

namespace speechleak::pipeline {

// Which models the audit scores with the pretext signal: the references (and the target) when a calibrated attack
// runs with --signal pretext, or auto and the target and every finished run carry their pretraining head; the
// target alone also for the loss attack. --signal pretext or --attack loss without the heads is an InvalidArgument
// naming the model that lacks one.
struct PretextPlan {
  bool target = false, references = false;
};
PretextPlan plan_pretext_signal(const audit::AuditConfig& config, const std::string& model_path,
                                const references::ReferenceSet* refs);

// The pretext signal of `model_dir`, masked as the target model `target_dir` was pretrained and seeded with the
// audit's seed, so that every model scores the same masked frames.
std::unique_ptr<features::UtteranceSignal> make_pretext_signal(const std::filesystem::path& model_dir,
                                                               const std::filesystem::path& target_dir,
                                                               uint64_t seed);

struct ReferenceExtraction {
  std::vector<audit::ReferenceInputs> inputs;  // one per finished run
  std::vector<std::string> warnings;           // runs left out (unfinished), with the reason
};

// Extracts each finished run of `refs` over the roles' corpora (roles carry their inputs and the target's stores)
// with the target encoder's device and precision, and the pretext signal when `pretext`. A run of another
// architecture than the target is refused (InvalidArgument naming the run directory).
ReferenceExtraction extract_references(const references::ReferenceSet& refs, const std::vector<RoleInput>& roles,
                                       const encoder::Encoder& target, const std::string& target_path,
                                       const std::filesystem::path& run_dir, const audit::AuditConfig& config,
                                       bool reverse_audio, bool pretext, const ProgressCallback& progress);

}  // namespace speechleak::pipeline
