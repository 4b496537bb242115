#include "speechleak/train/contrastive_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(QuantizerConfig, groups, entries, codevector_dim, gumbel_start,
                                                gumbel_end, gumbel_decay, gumbel_anneal_fraction)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ContrastiveLossConfig, final_dim, negatives, temperature,
                                                diversity_weight, feature_penalty, feature_grad_mult)

void QuantizerConfig::validate() const {
  require_at_least("--codebook-groups", groups, 1);
  require_at_least("--codebook-entries", entries, 2);
  require_at_least("quantizer.codevector_dim", codevector_dim, 0);
  if (codevector_dim % groups != 0)
    throw invalid_argument("quantizer.codevector_dim", "a multiple of --codebook-groups (" + std::to_string(groups) +
                                                           ") or 0",
                           std::to_string(codevector_dim));
  require_positive("quantizer.gumbel_end", gumbel_end);
  if (!(gumbel_start >= gumbel_end))
    throw invalid_argument("quantizer.gumbel_start", ">= gumbel_end (" + std::to_string(gumbel_end) + ")",
                           std::to_string(gumbel_start));
  if (!(gumbel_decay > 0 && gumbel_decay <= 1))
    throw invalid_argument("quantizer.gumbel_decay", "in (0, 1]", std::to_string(gumbel_decay));
  require_range("--gumbel-anneal", gumbel_anneal_fraction, 0.0, 1.0);
}

void ContrastiveLossConfig::validate() const {
  require_at_least("objective.loss.final_dim", final_dim, 0);
  require_at_least("--negatives", negatives, 1);
  require_positive("objective.loss.temperature", temperature);
  require_range("--diversity-weight", diversity_weight, 0.0, 1e6);
  require_range("--feature-penalty", feature_penalty, 0.0, 1e6);
  require_range("--feature-grad-mult", feature_grad_mult, 0.0, 1.0);
}

void ContrastiveConfig::validate(const encoder::Wav2Vec2Config& model) const {
  masking.validate();
  quantizer.validate();
  loss.validate();
  if (resolved_codevector_dim(model) < quantizer.groups)
    throw invalid_argument("quantizer.codevector_dim", ">= --codebook-groups (" + std::to_string(quantizer.groups) + ")",
                           std::to_string(resolved_codevector_dim(model)));
}

int ContrastiveConfig::resolved_codevector_dim(const encoder::Wav2Vec2Config& model) const {
  if (quantizer.codevector_dim > 0) return quantizer.codevector_dim;
  const int d = std::min(256, model.hidden_size);  // BASE: 768 -> 256
  return d - d % quantizer.groups;
}

int ContrastiveConfig::resolved_final_dim(const encoder::Wav2Vec2Config& model) const {
  return loss.final_dim > 0 ? loss.final_dim : resolved_codevector_dim(model);
}

nlohmann::json ContrastiveConfig::to_json() const {
  return {{"masking", masking}, {"quantizer", quantizer}, {"loss", loss}};
}

ContrastiveConfig ContrastiveConfig::from_json(const nlohmann::json& j) {
  ContrastiveConfig c;
  if (j.contains("masking")) train::from_json(j.at("masking"), c.masking);  // keeps this objective's defaults
  c.quantizer = j.value("quantizer", c.quantizer);
  c.loss = j.value("loss", c.loss);
  return c;
}

}  // namespace speechleak::train
