#include "speechleak/audit/blind_baseline.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "speechleak/metrics/auc.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"
#include "speechleak/util/number_format.h"

namespace speechleak::audit {
namespace {

// Ridge logistic regression on rows standardised with the training rows' mean and deviation.
class Logistic {
 public:
  Logistic(const std::vector<std::vector<double>>& x, const std::vector<int>& y, const BlindBaselineConfig& c) {
    const size_t n = x.size(), d = x[0].size();
    mean_.assign(d, 0), scale_.assign(d, 0), w_.assign(d, 0);
    for (const auto& row : x)
      for (size_t j = 0; j < d; ++j) mean_[j] += row[j] / double(n);
    for (const auto& row : x)
      for (size_t j = 0; j < d; ++j) scale_[j] += (row[j] - mean_[j]) * (row[j] - mean_[j]) / double(n);
    for (auto& s : scale_) s = s > 1e-24 ? 1 / std::sqrt(s) : 0;  // constant columns carry nothing
    std::vector<std::vector<double>> z;
    for (const auto& row : x) z.push_back(standardise(row));
    // Class weights so that an unbalanced fold does not push the intercept to one side.
    const double pos = double(std::count(y.begin(), y.end(), 1)), neg = double(n) - pos;
    for (int it = 0; it < c.iterations; ++it) {
      std::vector<double> grad(d, 0);
      double grad_b = 0;
      for (size_t i = 0; i < n; ++i) {
        const double weight = y[i] ? 0.5 * double(n) / pos : 0.5 * double(n) / neg;
        const double err = weight * (sigmoid(dot(z[i])) - y[i]) / double(n);
        for (size_t j = 0; j < d; ++j) grad[j] += err * z[i][j];
        grad_b += err;
      }
      for (size_t j = 0; j < d; ++j) w_[j] -= 0.5 * (grad[j] + c.l2 * w_[j] / double(n));
      b_ -= 0.5 * grad_b;
    }
  }
  double score(const std::vector<double>& row) const { return dot(standardise(row)); }

 private:
  std::vector<double> standardise(const std::vector<double>& row) const {
    std::vector<double> z(row.size());
    for (size_t j = 0; j < row.size(); ++j) z[j] = (row[j] - mean_[j]) * scale_[j];
    return z;
  }
  double dot(const std::vector<double>& z) const {
    double s = b_;
    for (size_t j = 0; j < z.size(); ++j) s += w_[j] * z[j];
    return s;
  }
  static double sigmoid(double t) { return 1 / (1 + std::exp(-t)); }
  std::vector<double> mean_, scale_, w_;
  double b_ = 0;
};

// Speakers of each side, in a seeded order, dealt round-robin into folds: every fold gets speakers of both sides.
std::map<std::string, int> assign_folds(const LabelledDescriptors& d, int folds, uint64_t seed) {
  std::map<std::string, int> fold;
  for (int side : {1, 0}) {
    std::vector<std::string> speakers;
    for (size_t i = 0; i < d.member.size(); ++i)
      if (d.member[i] == side && !fold.count(d.speaker[i])) {
        speakers.push_back(d.speaker[i]);
        fold[d.speaker[i]] = -1;
      }
    std::sort(speakers.begin(), speakers.end());
    seeded_shuffle(speakers, derive_seed(seed, side ? "blind folds members" : "blind folds nonmembers"));
    for (size_t k = 0; k < speakers.size(); ++k) fold[speakers[k]] = int(k % size_t(folds));
  }
  return fold;
}

// Percentile interval of the AUC over bootstrap resamples of whole speakers within each side.
metrics::Interval speaker_bootstrap(const std::vector<double>& scores, const LabelledDescriptors& d,
                                    const BlindBaselineConfig& c) {
  std::map<std::string, std::vector<size_t>> rows;
  for (size_t i = 0; i < scores.size(); ++i) rows[d.speaker[i]].push_back(i);
  std::vector<std::string> sides[2];
  for (const auto& [speaker, items] : rows) sides[d.member[items[0]]].push_back(speaker);
  Rng rng(derive_seed(c.seed, "blind bootstrap"));
  std::vector<double> aucs;
  for (size_t b = 0; b < c.bootstrap; ++b) {
    std::vector<double> s;
    std::vector<int> y;
    for (int side : {0, 1})
      for (size_t k = 0; k < sides[side].size(); ++k) {
        const auto& speaker = sides[side][uniform_index(rng, sides[side].size())];
        for (size_t i : rows[speaker]) s.push_back(scores[i]), y.push_back(side);
      }
    aucs.push_back(metrics::mann_whitney_auc(s, y));
  }
  return metrics::percentile_interval(std::move(aucs), c.confidence);
}

}  // namespace

void BlindBaselineConfig::validate() const {
  if (folds < 2) throw invalid_argument("blind_baseline.folds", ">= 2", std::to_string(folds));
  if (!(l2 >= 0)) throw invalid_argument("blind_baseline.l2", ">= 0", std::to_string(l2));
  if (iterations < 1) throw invalid_argument("blind_baseline.iterations", ">= 1", std::to_string(iterations));
  if (!(confidence > 0 && confidence < 1))
    throw invalid_argument("blind_baseline.confidence", "in (0, 1)", std::to_string(confidence));
}

nlohmann::json BlindBaselineConfig::to_json() const {
  return {{"folds", folds}, {"l2", l2}, {"iterations", iterations}, {"bootstrap", bootstrap},
          {"confidence", confidence}, {"seed", seed}, {"classifier", "ridge logistic regression"},
          {"cross_validation", "folds grouped by speaker, stratified by side"},
          {"interval", "percentile bootstrap over speakers within each side"}};
}

nlohmann::json BlindBaseline::to_json() const {
  nlohmann::json j = {{"auc", auc},         {"n_members", n_members}, {"n_nonmembers", n_nonmembers},
                      {"folds", folds},     {"confounded", confounded}, {"descriptors", descriptors},
                      {"config", config.to_json()}};
  j["auc_interval"] = interval ? nlohmann::json{{"lower", interval->lower}, {"upper", interval->upper}}
                               : nlohmann::json(nullptr);
  return j;
}

BlindBaseline run_blind_baseline(const LabelledDescriptors& data, const BlindBaselineConfig& c) {
  c.validate();
  const size_t n = data.x.size();
  // Groups are (side, speaker): a speaker with utterances on both sides (an utterance-level split) is two groups.
  LabelledDescriptors d = data;
  for (size_t i = 0; i < n && i < d.member.size() && i < d.speaker.size(); ++i)
    d.speaker[i] = (d.member[i] ? "member\t" : "nonmember\t") + d.speaker[i];
  if (d.member.size() != n || d.speaker.size() != n)
    throw invalid_argument("blind baseline", "one label and speaker per row (" + std::to_string(n) + ")",
                           std::to_string(d.member.size()) + " labels, " + std::to_string(d.speaker.size()) +
                               " speakers");
  for (const auto& row : d.x)
    if (row.size() != d.names.size())
      throw invalid_argument("blind baseline", std::to_string(d.names.size()) + " descriptors per row",
                             std::to_string(row.size()));
  size_t speakers[2] = {0, 0};
  {
    std::map<std::string, int> side;
    for (size_t i = 0; i < n; ++i) side[d.speaker[i]] = d.member[i];
    for (const auto& [s, m] : side) ++speakers[m];
  }
  if (speakers[0] < 2 || speakers[1] < 2)
    throw invalid_argument("blind baseline", "at least 2 speakers per side",
                           std::to_string(speakers[1]) + " member and " + std::to_string(speakers[0]) +
                               " non-member speakers");
  BlindBaseline b;
  b.config = c;
  b.folds = int(std::min<size_t>(size_t(c.folds), std::min(speakers[0], speakers[1])));
  b.descriptors = d.names;
  const auto folded = assign_folds(d, b.folds, c.seed);
  std::vector<double> scores(n, 0);
  for (int f = 0; f < b.folds; ++f) {
    std::vector<std::vector<double>> x;
    std::vector<int> y;
    for (size_t i = 0; i < n; ++i)
      if (folded.at(d.speaker[i]) != f) x.push_back(d.x[i]), y.push_back(d.member[i]);
    const Logistic model(x, y, c);
    for (size_t i = 0; i < n; ++i)
      if (folded.at(d.speaker[i]) == f) scores[i] = model.score(d.x[i]);
  }
  b.n_members = size_t(std::count(d.member.begin(), d.member.end(), 1));
  b.n_nonmembers = n - b.n_members;
  b.auc = metrics::mann_whitney_auc(scores, d.member);
  if (c.bootstrap > 0) b.interval = speaker_bootstrap(scores, d, c);
  b.confounded = b.interval ? b.interval->lower > 0.5 : b.auc > 0.75;
  return b;
}

std::string format_blind_baseline(const BlindBaseline& b) {
  std::string s = "blind baseline (audio descriptors only, no model): AUC " + text::fixed(b.auc, 4);
  if (b.interval) s += " [" + text::fixed(b.interval->lower, 3) + ", " + text::fixed(b.interval->upper, 3) + "]";
  s += ", " + std::to_string(b.n_members) + "/" + std::to_string(b.n_nonmembers);
  s += b.confounded ? ": SPLIT CONFOUNDED, the AUCs below overstate leakage" : ": no sign of a confounded split";
  return s + "\n";
}

std::string blind_baseline_warning(const BlindBaseline& b) {
  if (!b.confounded) return "";
  return "the blind baseline separates members from non-members without the model (AUC " + text::fixed(b.auc, 3) +
         " from audio descriptors alone): the split is confounded (recording conditions differ between the sides), "
         "so the attacks' AUCs overstate what the model leaks";
}

}  // namespace speechleak::audit
