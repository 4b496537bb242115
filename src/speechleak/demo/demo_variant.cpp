// Demo variants: the defenses and the reversed-audio attack of the seed paper's defense studies, applied to a preset.
#include <algorithm>

#include "speechleak/demo/demo.h"
#include "speechleak/util/error.h"

namespace speechleak::demo {
namespace {

const std::vector<std::string>& defense_names() {
  static const std::vector<std::string> names{"reverse-audio", "noise-augment", "silence-names", "sanitize-names"};
  return names;
}

}  // namespace

void DemoVariant::validate() const {
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
  std::string tag;
  for (const auto& n : names) tag += (tag.empty() ? "" : "+") + n;
  return tag;
}

void apply_defenses(const DemoVariant& variant, train::PretrainConfig& config) {
  variant.validate();
  for (const auto& d : variant.defenses) {
    if (d == "reverse-audio") config.defenses.reverse_audio = true;
    if (d == "noise-augment") config.defenses.noise_augment = true;
    if (d == "silence-names") config.defenses.silence_names = true;
    if (d == "sanitize-names") config.defenses.sanitize_names = true;
  }
}

}  // namespace speechleak::demo
