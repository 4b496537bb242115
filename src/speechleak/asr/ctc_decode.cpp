#include "speechleak/asr/ctc_decode.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "speechleak/util/error.h"

namespace speechleak::asr {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

void check_scores(const at::Tensor& s, int64_t blank) {
  if (s.dim() != 2) throw invalid_argument("frame scores", "a [T, V] tensor", "rank " + std::to_string(s.dim()));
  if (blank < 0 || blank >= s.size(1))
    throw invalid_argument("blank", "a label in [0, " + std::to_string(s.size(1)) + ")", std::to_string(blank));
}

struct Beam {
  double blank = kNegInf, label = kNegInf;  // log P(prefix, last frame blank / last frame its last label)
  double total() const { return log_add(blank, label); }
};

}  // namespace

std::vector<int64_t> best_path(const at::Tensor& frame_scores) {
  check_scores(frame_scores, 0);
  auto idx = frame_scores.argmax(1).to(at::kLong).contiguous().cpu();
  return {idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel()};
}

std::vector<int64_t> collapse_path(const std::vector<int64_t>& path, int64_t blank) {
  std::vector<int64_t> out;
  int64_t previous = -1;
  for (auto id : path) {
    if (id != previous && id != blank) out.push_back(id);
    previous = id;
  }
  return out;
}

std::vector<int64_t> greedy_decode(const at::Tensor& frame_scores, int64_t blank) {
  check_scores(frame_scores, blank);
  return collapse_path(best_path(frame_scores), blank);
}

std::vector<int64_t> prefix_beam_search(const at::Tensor& log_probs, int64_t blank, int beam, double* log_prob,
                                        double prune_log_prob) {
  check_scores(log_probs, blank);
  if (beam < 1) throw invalid_argument("--beam", ">= 1", std::to_string(beam));
  auto lp = log_probs.to(at::kDouble).contiguous().cpu();
  const int64_t t_max = lp.size(0), v = lp.size(1);
  const double* p = lp.data_ptr<double>();
  std::map<std::vector<int64_t>, Beam> beams;
  beams[{}].blank = 0.0;
  for (int64_t t = 0; t < t_max; ++t) {
    const double* row = p + t * v;
    std::map<std::vector<int64_t>, Beam> next;
    for (const auto& [prefix, b] : beams) {
      // Stay on the prefix: a blank, or the last label repeated (merged).
      next[prefix].blank = log_add(next[prefix].blank, b.total() + row[blank]);
      if (!prefix.empty())
        next[prefix].label = log_add(next[prefix].label, b.label + row[prefix.back()]);
      for (int64_t c = 0; c < v; ++c) {
        if (c == blank || row[c] < prune_log_prob) continue;
        auto extended = prefix;
        extended.push_back(c);
        // A repeated label starts a new one only after a blank.
        const double from = !prefix.empty() && prefix.back() == c ? b.blank : b.total();
        next[extended].label = log_add(next[extended].label, from + row[c]);
      }
    }
    std::vector<std::pair<double, const std::vector<int64_t>*>> ranked;
    for (const auto& [prefix, b] : next) ranked.emplace_back(b.total(), &prefix);
    // Most probable first; ties by prefix order (the map's), so the result is deterministic.
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::map<std::vector<int64_t>, Beam> kept;
    for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(beam); ++i)
      kept[*ranked[i].second] = next[*ranked[i].second];
    beams = std::move(kept);
  }
  const std::vector<int64_t>* best = nullptr;
  double best_lp = kNegInf;
  for (const auto& [prefix, b] : beams)
    if (!best || b.total() > best_lp) best = &prefix, best_lp = b.total();
  if (log_prob) *log_prob = best_lp;
  return *best;
}

}  // namespace speechleak::asr
