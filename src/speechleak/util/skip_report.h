#pragma once
// Per-item failures in corpus loops: skipped, counted with a reason, summarised as "N of M".
#include <map>
#include <string>
#include <vector>

namespace speechleak {

struct SkippedItem {
  std::string id;      // utterance or speaker id, or a file name when no id is known
  std::string where;   // file (and line) the problem was found in
  std::string reason;  // what was wrong and what was expected
};

struct SkipReport {
  std::vector<SkippedItem> items;

  void add(std::string id, std::string where, std::string reason);
  size_t size() const { return items.size(); }
  bool empty() const { return items.empty(); }
  // Reasons grouped by their text before the first ':' (e.g. "too short: 212 samples" -> "too short").
  std::map<std::string, size_t> counts_by_reason() const;
  // "412 of 415 utterances read; 3 skipped (2 too short, 1 missing transcript)"
  std::string summary(size_t succeeded, const std::string& noun, const std::string& verb) const;
  // The first `n` items as "; e.g. <id> (<where>): <reason>; <id> ...", or "" when there are none: what an error
  // says when every item failed, so the user sees why without a log.
  std::string examples(size_t n) const;
  void append(const SkipReport& other);
};

}  // namespace speechleak
