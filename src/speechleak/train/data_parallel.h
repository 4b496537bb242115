#pragma once
// Data-parallel training over a c10d process group (runtime/process_group.h): what the trainer does differently
// when several processes train one model.
//
// Every process builds the same trainer from the same config; rank 0's weights are broadcast once. Each global
// batch (the seed's data order, the same for any number of processes) is cut into contiguous slices, one per rank.
// A rank back-propagates its objective's mean loss times its weight (the units the mean is over: masked frames,
// utterances); gradients and the step's statistics are summed over ranks and divided by the total weight, which
// for a loss that is a mean over such units is the gradient of the whole batch's loss. Every rank then takes the
// same optimiser step.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/train/objective.h"

namespace speechleak::runtime {
class ProcessGroup;
}

namespace speechleak::train {

// Rank `rank`'s contiguous share of a global batch (sizes differ by at most one; may be empty).
std::vector<int64_t> rank_slice(const std::vector<int64_t>& batch, int rank, int world);

// What a rank contributes to a step besides its gradients.
struct RankStep {
  bool ran = false;        // had utterances (an empty slice contributes nothing)
  bool finite = true;      // its loss was finite
  double weight = 0;       // ObjectiveLoss::weight
  double loss = 0;         // its mean loss
  std::vector<double> metrics;
  std::vector<double> metric_weights;  // one per metric (ObjectiveLoss::metric_weights, resolved)
  std::vector<int64_t> counts;
  double audio_seconds = 0;
  bool interrupt = false;  // a stop was requested in this process
};

// The step over all ranks: loss and metrics averaged by their weights, counts and audio summed.
struct GlobalStep {
  double weight = 0, loss = 0, audio_seconds = 0;
  std::vector<double> metrics;
  std::vector<int64_t> counts;
  bool all_finite = true;
  bool interrupt = false;  // some rank was asked to stop: all stop after this step
};

// Sums the gradients of `params` that require them (a missing gradient counts as zeros) and the ranks' statistics,
// then divides the gradients by the total weight. `step` names the step in errors.
GlobalStep reduce_step(runtime::ProcessGroup& group, const std::vector<at::Tensor>& params, const RankStep& mine,
                       int64_t step);

// Makes every rank's tensors rank 0's (parameters and buffers, once, before training).
void broadcast_from_rank0(runtime::ProcessGroup& group, const std::vector<NamedModule>& modules);

}  // namespace speechleak::train
