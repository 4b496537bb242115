#include "speechleak/train/data_parallel.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "speechleak/runtime/process_group.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

std::vector<int64_t> rank_slice(const std::vector<int64_t>& batch, int rank, int world) {
  if (world < 1 || rank < 0 || rank >= world)
    throw invalid_argument("rank", "in [0, " + std::to_string(world) + ")", std::to_string(rank));
  const auto n = static_cast<int64_t>(batch.size());
  const int64_t begin = n * rank / world, end = n * (rank + 1) / world;
  return {batch.begin() + begin, batch.begin() + end};
}

GlobalStep reduce_step(runtime::ProcessGroup& group, const std::vector<at::Tensor>& params, const RankStep& mine,
                       int64_t step) {
  if (mine.metric_weights.size() != mine.metrics.size())
    throw invalid_argument("metric_weights", std::to_string(mine.metrics.size()) + " (one per metric)",
                           std::to_string(mine.metric_weights.size()));
  // One buffer of statistics: weight, weighted loss, (weighted metric, its weight)..., counts, audio, flags.
  std::vector<double> stats{mine.weight, mine.loss * mine.weight};
  for (size_t i = 0; i < mine.metrics.size(); ++i) {
    stats.push_back(mine.metrics[i] * mine.metric_weights[i]);
    stats.push_back(mine.metric_weights[i]);
  }
  for (int64_t c : mine.counts) stats.push_back(static_cast<double>(c));
  stats.push_back(mine.audio_seconds);
  stats.push_back(mine.finite ? 0.0 : 1.0);
  stats.push_back(mine.interrupt ? 1.0 : 0.0);
  std::vector<at::Tensor> grads;
  for (auto p : params) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  auto tensors = grads;  // the gradients (shared storage), then the statistics
  tensors.push_back(at::tensor(stats, at::kDouble));
  group.allreduce_sum(tensors, "gradients of step " + std::to_string(step));
  const auto sum = tensors.back();
  const double* s = sum.data_ptr<double>();
  GlobalStep g;
  g.weight = s[0];
  const double w = g.weight > 0 ? g.weight : 1.0;
  g.loss = s[1] / w;
  size_t k = 2;
  for (size_t i = 0; i < mine.metrics.size(); ++i, k += 2) g.metrics.push_back(s[k + 1] > 0 ? s[k] / s[k + 1] : 0.0);
  for (size_t i = 0; i < mine.counts.size(); ++i) g.counts.push_back(static_cast<int64_t>(std::llround(s[k++])));
  g.audio_seconds = s[k++];
  g.all_finite = s[k++] == 0.0;
  g.interrupt = s[k++] > 0.0;
  if (g.weight > 0)
    for (auto& grad : grads) grad.div_(g.weight);
  return g;
}

void broadcast_from_rank0(runtime::ProcessGroup& group, const std::vector<NamedModule>& modules) {
  std::vector<at::Tensor> tensors;
  for (const auto& [name, module] : modules) {
    for (const auto& p : module->parameters()) tensors.push_back(p.detach());
    for (const auto& b : module->buffers()) tensors.push_back(b);
  }
  at::NoGradGuard no_grad;
  group.broadcast(tensors, 0, "the initial weights");
}

}  // namespace speechleak::train
