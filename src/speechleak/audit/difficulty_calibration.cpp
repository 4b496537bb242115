#include "speechleak/audit/difficulty_calibration.h"

#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "speechleak/util/error.h"

namespace speechleak::audit {
namespace {

at::Tensor rows_tensor(const std::vector<std::vector<double>>& rows, size_t dims, const char* what) {
  auto t = at::empty({int64_t(rows.size()), int64_t(dims)}, at::kDouble);
  auto a = t.accessor<double, 2>();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != dims)
      throw invalid_argument(what, std::to_string(dims) + " descriptors per row",
                             std::to_string(rows[i].size()) + " in row " + std::to_string(i));
    for (size_t j = 0; j < dims; ++j) a[int64_t(i)][int64_t(j)] = rows[i][j];
  }
  return t;
}

// Ridge regression on standardised inputs with an unpenalised intercept; returns a predictor.
struct Ridge {
  at::Tensor mean, scale, w;
  double intercept = 0;
  Ridge(const at::Tensor& x, const at::Tensor& y, double l2) {
    mean = x.mean(0);
    scale = x.std(0, /*unbiased=*/false);
    scale = at::where(scale > 1e-12, 1.0 / scale, at::zeros_like(scale));  // constant columns carry nothing
    const auto z = (x - mean) * scale;
    intercept = y.mean().item<double>();
    const auto gram = z.t().mm(z) + l2 * at::eye(z.size(1), at::kDouble);
    w = at::linalg_solve(gram, z.t().mv(y - intercept));
  }
  at::Tensor operator()(const at::Tensor& x) const { return ((x - mean) * scale).mv(w) + intercept; }
};

}  // namespace

void DifficultyModelConfig::validate() const {
  if (!(l2 > 0)) throw invalid_argument("quantile.l2", "> 0", std::to_string(l2));
}

std::vector<double> difficulty_calibrated_scores(const std::vector<std::vector<double>>& aux_x,
                                                 const std::vector<double>& aux_s,
                                                 const std::vector<std::vector<double>>& eval_x,
                                                 const std::vector<double>& eval_s,
                                                 const DifficultyModelConfig& config) {
  config.validate();
  if (aux_x.size() < 4 || aux_x.size() != aux_s.size())
    throw invalid_argument("auxiliary descriptors", "at least 4 rows, one score each",
                           std::to_string(aux_x.size()) + " rows, " + std::to_string(aux_s.size()) + " scores");
  if (eval_x.size() != eval_s.size())
    throw invalid_argument("evaluation descriptors", "one score per row",
                           std::to_string(eval_x.size()) + " rows, " + std::to_string(eval_s.size()) + " scores");
  const size_t dims = aux_x[0].size();
  const auto ax = rows_tensor(aux_x, dims, "auxiliary descriptors");
  const auto ex = rows_tensor(eval_x, dims, "evaluation descriptors");
  const auto as = at::tensor(aux_s, at::kDouble), es = at::tensor(eval_s, at::kDouble);
  const Ridge mu(ax, as, config.l2);
  // log|residual| regressed the same way; E[log|Z|] = -(gamma + ln 2) / 2 for a unit Gaussian turns its prediction
  // into log sigma.
  const auto residual = (as - mu(ax)).abs().clamp_min(1e-12);
  const Ridge log_scale(ax, residual.log(), config.l2);
  constexpr double kMeanLogAbsNormal = -0.6351814227307392;
  const double floor = 1e-3 * (as - mu(ax)).std().item<double>() + 1e-12;
  const auto sigma = (log_scale(ex) - kMeanLogAbsNormal).exp().clamp_min(floor);
  const auto scores = ((es - mu(ex)) / sigma).contiguous();
  return {scores.data_ptr<double>(), scores.data_ptr<double>() + scores.numel()};
}

}  // namespace speechleak::audit
