#pragma once
// A whole noise-masking run: the attack on the target set and the control set (and, optionally, the targets again
// through a paired recogniser whose encoder never saw them), their metrics, the comparisons, and the run directory.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "speechleak/noise_masking/summary.h"

namespace speechleak::noise_masking {

struct Recogniser {
  asr::CtcModel model{nullptr};
  bool do_normalize = false;
  std::string label;  // "target model", "paired model"
};

struct StudyInputs {
  const corpus::Corpus* targets = nullptr;
  const corpus::Corpus* control = nullptr;
  const corpus::NameList* names = nullptr;
  Recogniser recogniser;
  std::optional<Recogniser> paired;
};

struct StudyResult {
  std::vector<AttackReport> reports;  // target, control[, paired]
  std::vector<SetSummary> sets;       // the same order
  std::vector<Comparison> comparisons;  // target vs control (Fisher)[, target vs paired (McNemar)]
  size_t inventory_size = 0;
  nlohmann::json to_json() const;       // summary.json's "noise_masking"
};

// Refuses (InvalidArgument) a control set that shares utterance ids or audio with the targets, and a name list
// that matches no target transcript.
void check_inputs(const StudyInputs& inputs);

StudyResult run_study(const StudyInputs& inputs, const NoiseMaskConfig& config, const ProgressCallback& progress = {});

// The table `speechleak noise-mask` and the demo print: per set trials, exact and any-name with Wilson intervals,
// precision and the unmasked exact rate; the comparisons; the baselines; the recogniser's unmasked WER/CER.
std::string format_table(const StudyResult& result);

// config.json of a run: the command, the recognisers, the corpora (canonical specs), the names file, every option,
// the noise seed and versions; `extra` (e.g. the demo's fine-tuning config) is merged in.
nlohmann::json study_config(const std::string& command, const std::string& asr, const std::string& paired_asr,
                            const StudyInputs& inputs, const NoiseMaskConfig& options,
                            const nlohmann::json& extra = nlohmann::json::object());

// RUN/config.json (`config`: command, models, corpora, options, versions), RUN/noise-masking/outcomes.tsv, then
// RUN/summary.json last (a directory with one is complete). Each file is written atomically.
void write_study_directory(const std::filesystem::path& dir, const StudyResult& result, const NoiseMaskConfig& options,
                           const nlohmann::json& config);

}  // namespace speechleak::noise_masking
