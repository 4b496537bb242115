#include "speechleak/train/pretraining_objective.h"

#include "speechleak/train/hubert_objective.h"
#include "speechleak/train/tera_objective.h"
#include "speechleak/train/wav2vec2_objective.h"

namespace speechleak::train {

bool needs_frame_targets(const PretrainConfig& config) { return config.objective == "hubert"; }

std::unique_ptr<Objective> make_pretraining_objective(const PretrainConfig& config, const TargetModel* targets,
                                                      int classes) {
  config.validate();
  if (config.objective == "wav2vec2") return std::make_unique<Wav2Vec2Objective>(config.wav2vec2, config.seed);
  if (config.objective == "tera") return std::make_unique<TeraObjective>(config.tera, config.seed);
  if (targets) return std::make_unique<HubertObjective>(config.hubert, config.seed, *targets);
  return std::make_unique<HubertObjective>(config.hubert, config.seed, classes);
}

}  // namespace speechleak::train
