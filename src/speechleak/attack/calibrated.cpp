#include "speechleak/attack/calibrated.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "speechleak/metrics/auc.h"
#include "speechleak/util/error.h"

namespace speechleak::attack {
namespace {

// One example's reference signals split by the keep matrix.
struct Sides {
  std::vector<double> in, out;
};

Sides sides(const ReferenceSignals& refs, size_t i) {
  Sides s;
  for (size_t r = 0; r < refs.runs(); ++r) (refs.keep[r][i] ? s.in : s.out).push_back(refs.signals[r][i]);
  return s;
}

double median(std::vector<double> v) {
  const size_t n = v.size(), h = n / 2;
  std::nth_element(v.begin(), v.begin() + h, v.end());
  const double upper = v[h];
  if (n % 2) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + h));
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}

double sample_std(const std::vector<double>& v) {
  const double m = mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / double(v.size() - 1));
}

// The fixed variance of one side: the pooled within-example standard deviation; with one run per example (no
// within-example spread to pool), the spread of that side's signals across examples, as the LiRA code's fixed
// variance is.
double pooled_std(const std::vector<Sides>& all, bool in_side) {
  double ss = 0, dof = 0;
  std::vector<double> flat;
  for (const auto& s : all) {
    const auto& v = in_side ? s.in : s.out;
    if (v.empty()) continue;
    const double m = mean(v);
    for (double x : v) ss += (x - m) * (x - m), flat.push_back(x);
    dof += double(v.size() - 1);
  }
  if (dof > 0) return std::sqrt(ss / dof);
  return flat.size() > 1 ? sample_std(flat) : 0.0;
}

double log_normal_pdf(double x, double mu, double sd) {
  const double z = (x - mu) / sd;
  return -0.5 * z * z - std::log(sd) - 0.5 * std::log(2 * std::numbers::pi);
}

// log P[N(0, 1) >= z], accurate far into the tail.
double log_normal_sf(double z) {
  if (z < 30) return std::log(0.5 * std::erfc(z / std::numbers::sqrt2));
  return -0.5 * z * z - std::log(z) - 0.5 * std::log(2 * std::numbers::pi);
}

std::vector<Sides> all_sides(const ReferenceSignals& refs) {
  std::vector<Sides> all;
  for (size_t i = 0; i < refs.examples(); ++i) all.push_back(sides(refs, i));
  return all;
}

void need(bool ok, size_t example, const std::string& what) {
  if (!ok) throw invalid_argument("references", what, "none for example " + std::to_string(example));
}

// p(x) of RMIA for every example: the reference signals averaged as the config says. Population samples that no
// reference trained on (`population`) average their OUT runs in online mode: the best estimate of p(z) there.
std::vector<double> rmia_reference_mean(const ReferenceSignals& refs, const RmiaConfig& c, bool population = false) {
  std::vector<double> p;
  for (size_t i = 0; i < refs.examples(); ++i) {
    const auto s = sides(refs, i);
    need(!s.out.empty(), i, "at least one reference run that did not train on each example (OUT)");
    if (c.online && population && s.in.empty()) {
      p.push_back(mean(s.out));
    } else if (c.online) {
      need(!s.in.empty(), i, "at least one reference run that trained on each example (IN), for online RMIA");
      p.push_back(0.5 * (mean(s.in) + mean(s.out)));
    } else {
      p.push_back(0.5 * ((1 + c.offline_a) * mean(s.out) + (1 - c.offline_a)));
    }
  }
  return p;
}

void check_positive(const std::vector<double>& v, const char* what) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!(v[i] > 0))
      throw invalid_argument(what, "probability-like signals (> 0)",
                             std::to_string(v[i]) + " at example " + std::to_string(i));
}

}  // namespace

void ReferenceSignals::validate(size_t n, const char* what) const {
  if (signals.empty()) throw invalid_argument(what, "at least one reference run", "none");
  if (keep.size() != signals.size())
    throw invalid_argument(what, "a keep row per run (" + std::to_string(signals.size()) + ")",
                           std::to_string(keep.size()));
  for (size_t r = 0; r < signals.size(); ++r)
    if (signals[r].size() != n || keep[r].size() != n)
      throw invalid_argument(what, std::to_string(n) + " signals and keep entries per run",
                             std::to_string(signals[r].size()) + " and " + std::to_string(keep[r].size()) +
                                 " in run " + std::to_string(r));
}

std::vector<double> lira_online(const std::vector<double>& target, const ReferenceSignals& refs,
                                const LiraConfig& c) {
  refs.validate(target.size());
  const auto all = all_sides(refs);
  const bool fixed = c.variance == LiraVariance::Fixed;
  const double in_sd = fixed ? pooled_std(all, true) : 0, out_sd = fixed ? pooled_std(all, false) : 0;
  std::vector<double> scores;
  for (size_t i = 0; i < target.size(); ++i) {
    const auto& s = all[i];
    const size_t least = fixed ? 1 : 2;
    need(s.in.size() >= least, i, std::to_string(least) + "+ reference runs that trained on each example (IN)");
    need(s.out.size() >= least, i, std::to_string(least) + "+ reference runs that did not (OUT)");
    const double si = std::max(c.min_std, fixed ? in_sd : sample_std(s.in));
    const double so = std::max(c.min_std, fixed ? out_sd : sample_std(s.out));
    scores.push_back(log_normal_pdf(target[i], median(s.in), si) - log_normal_pdf(target[i], median(s.out), so));
  }
  return scores;
}

std::vector<double> lira_offline(const std::vector<double>& target, const ReferenceSignals& refs,
                                 const LiraConfig& c) {
  refs.validate(target.size());
  const auto all = all_sides(refs);
  const bool fixed = c.variance == LiraVariance::Fixed;
  const double out_sd = fixed ? pooled_std(all, false) : 0;
  std::vector<double> scores;
  for (size_t i = 0; i < target.size(); ++i) {
    const auto& s = all[i];
    need(s.out.size() >= (fixed ? 1u : 2u), i, "reference runs that did not train on each example (OUT)");
    const double so = std::max(c.min_std, fixed ? out_sd : sample_std(s.out));
    scores.push_back(-log_normal_sf((target[i] - median(s.out)) / so));
  }
  return scores;
}

std::vector<double> rmia(const std::vector<double>& target, const ReferenceSignals& refs,
                         const std::vector<double>& population_target, const ReferenceSignals& population,
                         const RmiaConfig& c) {
  refs.validate(target.size());
  population.validate(population_target.size(), "population references");
  if (population_target.empty()) throw invalid_argument("population", "at least one population sample", "none");
  if (!(c.gamma > 0)) throw invalid_argument("gamma", "> 0", std::to_string(c.gamma));
  check_positive(target, "target signals");
  check_positive(population_target, "population signals");
  for (const auto& row : refs.signals) check_positive(row, "reference signals");
  for (const auto& row : population.signals) check_positive(row, "population reference signals");
  const auto px = rmia_reference_mean(refs, c), pz = rmia_reference_mean(population, c, true);
  std::vector<double> ratio_z;
  for (size_t z = 0; z < pz.size(); ++z) ratio_z.push_back(population_target[z] / pz[z]);
  std::sort(ratio_z.begin(), ratio_z.end());
  std::vector<double> scores;
  for (size_t i = 0; i < target.size(); ++i) {
    // LR(x, z) >= gamma  <=>  ratio_z <= ratio_x / gamma (ratios are positive)
    const double bound = target[i] / px[i] / c.gamma;
    const auto dominated = std::upper_bound(ratio_z.begin(), ratio_z.end(), bound) - ratio_z.begin();
    scores.push_back(double(dominated) / double(ratio_z.size()));
  }
  return scores;
}

double tune_rmia_offline_a(const ReferenceSignals& refs, const ReferenceSignals& population,
                           const std::vector<double>& grid, double gamma) {
  refs.validate(refs.examples());
  population.validate(population.examples(), "population references");
  if (refs.runs() < 2) throw invalid_argument("references", "at least 2 runs to tune a", std::to_string(refs.runs()));
  if (grid.empty()) throw invalid_argument("grid", "at least one value of a", "none");
  double best_a = grid.front(), best_auc = -1;
  for (double a : grid) {
    double total = 0;
    int used = 0;
    for (size_t j = 0; j < refs.runs(); ++j) {
      const auto& truth = refs.keep[j];
      if (std::count(truth.begin(), truth.end(), true) == 0 || std::count(truth.begin(), truth.end(), false) == 0)
        continue;
      // The pseudo-target's examples that some other run did not train on (offline p(x) needs an OUT run).
      std::vector<size_t> usable;
      for (size_t i = 0; i < refs.examples(); ++i)
        for (size_t r = 0; r < refs.runs(); ++r)
          if (r != j && !refs.keep[r][i]) {
            usable.push_back(i);
            break;
          }
      ReferenceSignals others, others_pop;
      std::vector<double> target_j;
      std::vector<int> labels;
      for (size_t i : usable) target_j.push_back(refs.signals[j][i]), labels.push_back(truth[i] ? 1 : 0);
      if (std::count(labels.begin(), labels.end(), 1) == 0 || std::count(labels.begin(), labels.end(), 0) == 0)
        continue;
      for (size_t r = 0; r < refs.runs(); ++r) {
        if (r == j) continue;
        std::vector<double> sig;
        std::vector<bool> kp;
        for (size_t i : usable) sig.push_back(refs.signals[r][i]), kp.push_back(refs.keep[r][i]);
        others.signals.push_back(std::move(sig));
        others.keep.push_back(std::move(kp));
        others_pop.signals.push_back(population.signals[r]);
        others_pop.keep.push_back(population.keep[r]);
      }
      // The pseudo-target's population: the samples it did not train on.
      std::vector<double> pop_target;
      ReferenceSignals pop;
      pop.signals.assign(others_pop.runs(), {});
      pop.keep.assign(others_pop.runs(), {});
      for (size_t z = 0; z < population.examples(); ++z) {
        if (population.keep[j][z]) continue;
        pop_target.push_back(population.signals[j][z]);
        for (size_t r = 0; r < others_pop.runs(); ++r) {
          pop.signals[r].push_back(others_pop.signals[r][z]);
          pop.keep[r].push_back(others_pop.keep[r][z]);
        }
      }
      if (pop_target.empty()) continue;
      RmiaConfig c{gamma, a, false};
      const auto scores = rmia(target_j, others, pop_target, pop, c);
      total += metrics::mann_whitney_auc(scores, labels);
      ++used;
    }
    if (used == 0) throw invalid_argument("references", "a run with both IN and OUT examples to tune a", "none");
    if (total / used > best_auc) best_auc = total / used, best_a = a;
  }
  return best_a;
}

}  // namespace speechleak::attack
