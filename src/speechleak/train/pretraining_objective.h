#pragma once
// The objective a pretraining config names (PretrainConfig::objective): "hubert" (hubert_objective.h),
// "wav2vec2" (wav2vec2_objective.h) or "tera" (tera_objective.h).
#include <memory>

#include "speechleak/train/objective.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/train/targets.h"

namespace speechleak::train {

// Whether the objective trains on k-means frame targets (fit_targets, attach_labels) that must be fitted first.
bool needs_frame_targets(const PretrainConfig& config);

// HuBERT takes its classes from `targets` (whose summary joins the metadata) or, when null, from `classes`;
// wav2vec 2.0 and TERA ignore both.
std::unique_ptr<Objective> make_pretraining_objective(const PretrainConfig& config, const TargetModel* targets,
                                                      int classes = 0);

}  // namespace speechleak::train
