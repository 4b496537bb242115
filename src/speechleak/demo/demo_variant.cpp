// Demo variants: the defenses and the reversed-audio attack of the seed paper's defense studies, another
// pretraining objective (the families study), another architecture (the model-size ablation), applied to a preset.
// The data-size ablation's extra speakers need the corpus: run_demo applies them (train_with_extra_speakers).
#include <algorithm>
#include <utility>

#include "speechleak/demo/demo.h"
#include "speechleak/train/presets.h"
#include "speechleak/util/error.h"

namespace speechleak::demo {
namespace {

const std::vector<std::string>& defense_names() {
  static const std::vector<std::string> names{"reverse-audio", "noise-augment", "silence-names", "sanitize-names"};
  return names;
}

}  // namespace

DemoVariant DemoVariant::of_defenses(std::vector<std::string> defenses) {
  DemoVariant v;
  v.defenses = std::move(defenses);
  return v;
}

void DemoVariant::validate() const {
  if (!objective.empty() && objective != "hubert" && objective != "wav2vec2" && objective != "tera")
    throw invalid_argument("--objective", "hubert, wav2vec2 or tera", "'" + objective + "'");
  const auto archs = train::arch_preset_names();
  if (!arch.empty() && std::find(archs.begin(), archs.end(), arch) == archs.end())
    throw invalid_argument("variant architecture", "tiny, mini, small or base", "'" + arch + "'");
  if (extra_speakers < 0) throw invalid_argument("variant extra speakers", ">= 0", std::to_string(extra_speakers));
  for (const auto& d : defenses)
    if (std::find(defense_names().begin(), defense_names().end(), d) == defense_names().end())
      throw invalid_argument("--defense", "reverse-audio, noise-augment, silence-names or sanitize-names",
                             "'" + d + "'");
}

std::string DemoVariant::tag() const {
  // Sorted and deduplicated, so that the same variant typed in another order finds the same run directory.
  auto names = defenses;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (attack_reverse_audio) names.push_back("attack-reversed");
  if (!objective.empty() && objective != "hubert") names.insert(names.begin(), objective);
  if (!arch.empty()) names.insert(names.begin(), "arch-" + arch);
  if (extra_speakers > 0) names.push_back("extra-" + std::to_string(extra_speakers));
  std::string tag;
  for (const auto& n : names) tag += (tag.empty() ? "" : "+") + n;
  return tag;
}

void apply_variant(const DemoVariant& variant, train::PretrainConfig& config) {
  variant.validate();
  const bool other_objective = !variant.objective.empty() && variant.objective != config.objective;
  if (other_objective) config.objective = variant.objective;
  if (!variant.arch.empty()) config.arch = variant.arch;
  if (other_objective || !variant.arch.empty()) {
    config.model = train::resolve_arch(config.arch, config.objective);  // the family the saved model names
    // The BASE recipe anneals the Gumbel temperature over 69% of its 400k steps; a demo run has hundreds.
    if (config.objective == "wav2vec2") config.wav2vec2.quantizer.gumbel_anneal_fraction = 0.69;
  }
  for (const auto& d : variant.defenses) {
    if (d == "reverse-audio") config.defenses.reverse_audio = true;
    if (d == "noise-augment") config.defenses.noise_augment = true;
    if (d == "silence-names") config.defenses.silence_names = true;
    if (d == "sanitize-names") config.defenses.sanitize_names = true;
  }
}

}  // namespace speechleak::demo
