#include "speechleak/train/pretrain_config.h"

#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

void PretrainConfig::validate() const {
  if (corpus.empty()) throw invalid_argument("--corpus", "a corpus spec", "nothing");
  require_one_of("--objective", objective, {"hubert", "wav2vec2", "tera"});
  TrainingConfig::validate();
  if (objective != "tera" && model.is_tera())
    throw invalid_argument("--objective", "tera for a TERA architecture (log-mel input)", objective);
  if (objective == "wav2vec2")
    wav2vec2.validate(model);
  else if (objective == "tera")
    tera.validate(model);
  else
    hubert.validate(model);
}

double& PretrainConfig::feature_grad_mult() {
  if (objective == "tera")
    throw invalid_argument("--feature-grad-mult", "an objective with a convolutional extractor (hubert, wav2vec2)",
                           "tera (log-mel input, nothing to scale)");
  return objective == "wav2vec2" ? wav2vec2.loss.feature_grad_mult : hubert.head.feature_grad_mult;
}

nlohmann::json PretrainConfig::to_json() const {
  return {{"format_version", kPretrainConfigVersion},
          {"corpus", corpus},
          {"arch", arch},
          {"model", model.to_json()},
          {"training", loop_json()},
          {"defenses", defenses.to_json()},
          {"objective", [&] {
             auto o = objective == "wav2vec2" ? wav2vec2.to_json()
                      : objective == "tera"   ? tera.to_json()
                                              : hubert.to_json();
             o["name"] = objective;
             return o;
           }()}};
}

nlohmann::json migrate_pretrain_config(const nlohmann::json& j) {
  if (!j.is_object() || j.contains("format_version")) return j;
  nlohmann::json out = {{"format_version", kPretrainConfigVersion}};
  nlohmann::json training = nlohmann::json::object(), objective = nlohmann::json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto& k = it.key();
    if (k == "corpus" || k == "arch" || k == "model" || k == "defenses") out[k] = it.value();
    else if (k == "objective") objective["name"] = it.value();
    else if (k == "mfcc" || k == "kmeans" || k == "masking" || k == "head") objective[k] = it.value();
    else training[k] = it.value();
  }
  if (!objective.contains("name")) objective["name"] = "hubert";
  out["training"] = training;
  out["objective"] = objective;
  return out;
}

PretrainConfig PretrainConfig::from_json(const nlohmann::json& in, const std::string& source, bool* migrated) {
  PretrainConfig c;
  try {
    if (!in.is_object()) throw FormatError(source, "pretraining config: expected a JSON object");
    const int version = in.value("format_version", 1);
    if (version != 1 && version != kPretrainConfigVersion)
      throw FormatError(source, "pretraining config format_version " + std::to_string(version) +
                                    " is not readable by this speechleak (reads 1 and " +
                                    std::to_string(kPretrainConfigVersion) + ")");
    if (migrated) *migrated = version == 1;
    const auto j = migrate_pretrain_config(in);
    c.corpus = j.value("corpus", c.corpus);
    c.arch = j.value("arch", c.arch);
    if (j.contains("model")) c.model = encoder::Wav2Vec2Config::from_json(j.at("model"), source);
    if (j.contains("training")) c.read_loop_json(j.at("training"));
    if (j.contains("defenses")) c.defenses = DefenseConfig::from_json(j.at("defenses"));
    if (j.contains("objective")) {
      const auto& o = j.at("objective");
      c.objective = o.value("name", c.objective);
      if (c.objective == "wav2vec2")
        c.wav2vec2 = ContrastiveConfig::from_json(o);
      else if (c.objective == "tera")
        c.tera = TeraConfig::from_json(o);
      else
        c.hubert = HubertConfig::from_json(o);
    }
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source, std::string("pretraining config: ") + e.what());
  }
  return c;
}

std::string PretrainConfig::to_string() const { return to_json().dump(); }

}  // namespace speechleak::train
