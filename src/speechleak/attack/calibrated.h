#pragma once
// Membership scores calibrated against reference models (docs/calibrated-attacks.md): LiRA (Carlini et al., S&P
// 2022) and RMIA (Zarifzadeh et al., ICML 2024). Inputs are per-example signals of the target model and of N
// reference models with a keep matrix saying which examples each reference trained on; outputs are scores, higher =
// more likely a member. Torch-free; the signals come from any attack's per-utterance (or per-speaker) statistic.
#include <cstddef>
#include <vector>

namespace speechleak::attack {

// signals[run][example] and keep[run][example] (true: that reference trained on the example). Every run has one
// entry per example.
struct ReferenceSignals {
  std::vector<std::vector<double>> signals;
  std::vector<std::vector<bool>> keep;
  size_t runs() const { return signals.size(); }
  size_t examples() const { return signals.empty() ? 0 : signals[0].size(); }
  // Throws InvalidArgument naming `what` when the shapes disagree with each other or with `examples` (the target's
  // signal count), or when the keep matrix is missing.
  void validate(size_t examples, const char* what = "references") const;
};

enum class LiraVariance {
  PerExample,  // each example's IN and OUT standard deviations (needs several runs of each per example)
  Fixed        // one pooled within-example standard deviation per side: better below ~64 runs (the LiRA paper)
};

struct LiraConfig {
  LiraVariance variance = LiraVariance::Fixed;
  double min_std = 1e-6;  // floor on every standard deviation (an example whose references agree exactly)
};

// Online LiRA: log N(t; mu_in, s_in^2) - log N(t; mu_out, s_out^2), mu = the median of the example's IN (OUT)
// reference signals, as the LiRA code does. Throws InvalidArgument when an example has no IN or no OUT run, or
// (per-example variance) fewer than 2 of either.
std::vector<double> lira_online(const std::vector<double>& target, const ReferenceSignals& refs,
                                const LiraConfig& config = {});

// Offline LiRA: the one-sided test against the OUT Gaussian only, -log P[N(mu_out, s_out^2) >= t]: large when the
// target's signal is unusually high for a model that did not train on the example. Uses only OUT entries.
std::vector<double> lira_offline(const std::vector<double>& target, const ReferenceSignals& refs,
                                 const LiraConfig& config = {});

struct RmiaConfig {
  double gamma = 1.0;       // LR(x, z) >= gamma counts z as dominated by x
  double offline_a = 0.3;   // offline p(x) = ((1 + a) p_OUT(x) + (1 - a)) / 2; online ignores it
  bool online = false;      // online p(x) = (p_IN(x) + p_OUT(x)) / 2 (needs IN runs for every example)
};

// RMIA: score(x) = the share of population samples z with [p(x|target) / p(x)] / [p(z|target) / p(z)] >= gamma,
// where p(.) is the signal averaged over reference models as RmiaConfig says. Signals must be probability-like
// (> 0; e.g. the pretext probability, or exp of a log-likelihood-like score). `population` holds the target's and
// the references' signals on non-member population samples (keep all false for offline references; in online mode
// a population sample no reference trained on takes the mean of its OUT runs as p(z)).
std::vector<double> rmia(const std::vector<double>& target, const ReferenceSignals& refs,
                         const std::vector<double>& population_target, const ReferenceSignals& population,
                         const RmiaConfig& config = {});

// The offline `a` that, with each reference run in turn taken as the target (its keep row as the truth) and the
// other runs' OUT signals as references, maximises the mean AUC over `grid`. Needs >= 2 runs with IN and OUT
// examples; the paired-reference tuning of the RMIA paper.
double tune_rmia_offline_a(const ReferenceSignals& refs, const ReferenceSignals& population,
                           const std::vector<double>& grid = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0},
                           double gamma = 1.0);

}  // namespace speechleak::attack
