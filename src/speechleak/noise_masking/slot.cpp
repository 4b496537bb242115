#include "speechleak/noise_masking/slot.h"

#include <limits>

#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/text.h"

namespace speechleak::noise_masking {
namespace {

// Lexicographic cost: edits first, then wildcards filled.
struct Cost {
  int edits = 0, fills = 0;
  bool operator<(const Cost& o) const { return edits != o.edits ? edits < o.edits : fills < o.fills; }
  bool operator==(const Cost& o) const = default;
  Cost plus(int e, int f) const { return {edits + e, fills + f}; }
};

enum class Op { Pair, Delete, Insert };  // Pair: a reference word with a hypothesis word (match, substitution, fill)

}  // namespace

SlotReference SlotReference::make(const std::vector<std::string>& words, size_t first, size_t count,
                                  const std::vector<std::pair<size_t, size_t>>& others) {
  if (count == 0 || first + count > words.size())
    throw invalid_argument("slot", "a non-empty word range inside the " + std::to_string(words.size()) + " words",
                           "[" + std::to_string(first) + ", " + std::to_string(first + count) + ")");
  SlotReference r{words, std::vector<int>(words.size(), -1)};
  for (const auto& [f, n] : others)
    for (size_t i = f; i < f + n && i < words.size(); ++i) r.role[i] = 1;
  for (size_t i = first; i < first + count; ++i) r.role[i] = 0;
  return r;
}

size_t SlotReference::context_words() const {
  size_t n = 0;
  for (int r : role) n += r < 0;
  return n;
}

std::string SlotAlignment::guess_text() const { return text::join(guess, " "); }

SlotAlignment align_slot(const SlotReference& ref, const std::vector<std::string>& hyp) {
  const size_t n = ref.words.size(), m = hyp.size();
  std::vector<std::vector<Cost>> d(n + 1, std::vector<Cost>(m + 1));
  for (size_t i = 1; i <= n; ++i) d[i][0] = d[i - 1][0].plus(1, 0);
  for (size_t j = 1; j <= m; ++j) d[0][j] = d[0][j - 1].plus(1, 0);
  auto pair_cost = [&](size_t i, size_t j, Cost base) {
    if (ref.role[i] >= 0) return base.plus(0, 1);
    return base.plus(ref.words[i] == hyp[j] ? 0 : 1, 0);
  };
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      Cost best = pair_cost(i - 1, j - 1, d[i - 1][j - 1]);
      best = std::min(best, d[i - 1][j].plus(1, 0));
      best = std::min(best, d[i][j - 1].plus(1, 0));
      d[i][j] = best;
    }
  // Backtrace (from the end, so preferences apply right to left), then walk the operations forwards.
  std::vector<std::pair<Op, std::pair<size_t, size_t>>> ops;
  for (size_t i = n, j = m; i > 0 || j > 0;) {
    if (i > 0 && j > 0 && d[i][j] == pair_cost(i - 1, j - 1, d[i - 1][j - 1])) ops.push_back({Op::Pair, {--i, --j}});
    else if (i > 0 && d[i][j] == d[i - 1][j].plus(1, 0)) ops.push_back({Op::Delete, {--i, j}});
    else ops.push_back({Op::Insert, {i, --j}});
  }
  SlotAlignment out;
  std::vector<std::string> ref_context, hyp_context;
  for (size_t i = 0; i < n; ++i)
    if (ref.role[i] < 0) ref_context.push_back(ref.words[i]);
  out.context_words.reference = ref_context.size();
  // An insertion belongs to the slot when the reference word before or after it is in the target slot.
  auto next_to_slot = [&](size_t i) {
    return (i > 0 && ref.role[i - 1] == 0) || (i < n && ref.role[i] == 0);
  };
  auto next_to_other = [&](size_t i) { return (i > 0 && ref.role[i - 1] == 1) || (i < n && ref.role[i] == 1); };
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    const auto [op, ij] = *it;
    const auto [i, j] = ij;
    if (op == Op::Pair) {
      if (ref.role[i] == 0) out.guess.push_back(hyp[j]);
      else if (ref.role[i] < 0) {
        hyp_context.push_back(hyp[j]);
        out.context_words.substitutions += ref.words[i] != hyp[j];
      }
    } else if (op == Op::Delete) {
      out.context_words.deletions += ref.role[i] < 0;
    } else if (next_to_slot(i)) {
      out.guess.push_back(hyp[j]);
    } else if (!next_to_other(i)) {
      hyp_context.push_back(hyp[j]);
      ++out.context_words.insertions;
    }
  }
  out.context_characters = asr::character_errors(text::join(ref_context, " "), text::join(hyp_context, " "));
  return out;
}

}  // namespace speechleak::noise_masking
