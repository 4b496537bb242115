#include "speechleak/train/masking_config.h"

#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"

namespace speechleak::train {

void MaskingConfig::validate() const {
  require_range("--mask-prob", prob, 0.0, 1.0);
  require_at_least("--mask-span", span, 1);
  require_at_least("masking.min_spans", min_spans, 0);
}

void to_json(nlohmann::json& j, const MaskingConfig& c) {
  j = {{"prob", c.prob}, {"span", c.span}, {"min_spans", c.min_spans}};
}

void from_json(const nlohmann::json& j, MaskingConfig& c) {
  c.prob = j.value("prob", c.prob);
  c.span = j.value("span", c.span);
  c.min_spans = j.value("min_spans", c.min_spans);
}

}  // namespace speechleak::train
