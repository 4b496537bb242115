#include "speechleak/util/skip_report.h"

#include <sstream>

namespace speechleak {

void SkipReport::add(std::string id, std::string where, std::string reason) {
  items.push_back({std::move(id), std::move(where), std::move(reason)});
}

std::map<std::string, size_t> SkipReport::counts_by_reason() const {
  std::map<std::string, size_t> counts;
  for (const auto& item : items) counts[item.reason.substr(0, item.reason.find(':'))]++;
  return counts;
}

std::string SkipReport::summary(size_t succeeded, const std::string& noun, const std::string& verb) const {
  std::string out = std::to_string(succeeded) + " of " + std::to_string(succeeded + items.size()) + " " + noun + " " + verb;
  if (!items.empty()) {
    out += "; " + std::to_string(items.size()) + " skipped (";
    bool first = true;
    for (const auto& [reason, n] : counts_by_reason()) {
      out += (first ? "" : ", ") + std::to_string(n) + " " + reason;
      first = false;
    }
    out += ")";
  }
  return out;
}

std::string SkipReport::examples(size_t n) const {
  std::string out;
  for (size_t i = 0; i < items.size() && i < n; ++i)
    out += (i ? "; " : "; e.g. ") + items[i].id + (items[i].where.empty() ? "" : " (" + items[i].where + ")") + ": " +
           items[i].reason;
  return out;
}

void SkipReport::append(const SkipReport& other) {
  items.insert(items.end(), other.items.begin(), other.items.end());
}

}  // namespace speechleak
