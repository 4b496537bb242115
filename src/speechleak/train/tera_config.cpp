#include "speechleak/train/tera_config.h"

#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::train {

void TeraConfig::validate(const encoder::Wav2Vec2Config& model) const {
  if (!model.is_tera())
    throw invalid_argument("--objective tera", "a TERA architecture (model_type \"tera\": log-mel input)",
                           "model_type \"" + model.model_type + "\"");
  time.validate();
  require_range("tera.zero_fraction", zero_fraction, 0.0, 1.0);
  require_range("tera.replace_fraction", replace_fraction, 0.0, 1.0);
  if (zero_fraction + replace_fraction > 1.0 + 1e-12)
    throw invalid_argument("tera.replace_fraction",
                           "at most 1 - zero_fraction (" + text::general(1 - zero_fraction) + ")",
                           text::general(replace_fraction));
  require_range("tera.frequency_max", frequency_max, 0.0, 1.0);
  require_range("tera.noise_probability", noise_probability, 0.0, 1.0);
  require_range("tera.noise_std", noise_std, 0.0, 1e3);
  require_one_of("tera.loss", loss, {"l1", "mse"});
}

nlohmann::json TeraConfig::to_json() const {
  return {{"time", time},
          {"zero_fraction", zero_fraction},
          {"replace_fraction", replace_fraction},
          {"frequency_max", frequency_max},
          {"noise_probability", noise_probability},
          {"noise_std", noise_std},
          {"loss", loss}};
}

TeraConfig TeraConfig::from_json(const nlohmann::json& j) {
  TeraConfig c;
  if (j.contains("time")) j.at("time").get_to(c.time);
  c.zero_fraction = j.value("zero_fraction", c.zero_fraction);
  c.replace_fraction = j.value("replace_fraction", c.replace_fraction);
  c.frequency_max = j.value("frequency_max", c.frequency_max);
  c.noise_probability = j.value("noise_probability", c.noise_probability);
  c.noise_std = j.value("noise_std", c.noise_std);
  c.loss = j.value("loss", c.loss);
  return c;
}

}  // namespace speechleak::train
