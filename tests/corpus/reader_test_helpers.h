#pragma once
// Small helpers shared by the corpus reader tests.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "speechleak/corpus/corpus.h"
#include "speechleak/util/log.h"

namespace speechleak::corpus::test {

inline std::vector<std::string> ids(const Corpus& c) {
  std::vector<std::string> out;
  for (const auto& u : c.utterances) out.push_back(u.id);
  return out;
}

inline std::vector<std::string> speaker_keys(const Corpus& c) {
  std::vector<std::string> out;
  for (const auto& [k, v] : c.speakers) out.push_back(k);
  return out;
}

// "id: reason-prefix" for every skipped item, sorted: the reason up to its first ':' (the grouping key).
inline std::vector<std::string> skips(const Corpus& c) {
  std::vector<std::string> out;
  for (const auto& s : c.skipped.items) out.push_back(s.id + ": " + s.reason.substr(0, s.reason.find(':')));
  std::sort(out.begin(), out.end());
  return out;
}

inline const SkippedItem* find_skip(const Corpus& c, const std::string& id) {
  for (const auto& s : c.skipped.items)
    if (s.id == id) return &s;
  return nullptr;
}

// Collects log messages while alive, restoring the previous sink afterwards.
class LogCapture {
 public:
  LogCapture() {
    previous_ = set_log_sink([this](LogLevel level, std::string_view m) {
      messages.push_back(std::string(to_string(level)) + ": " + std::string(m));
    });
  }
  ~LogCapture() { set_log_sink(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  bool contains(const std::string& needle) const {
    return std::any_of(messages.begin(), messages.end(),
                       [&](const std::string& m) { return m.find(needle) != std::string::npos; });
  }
  std::vector<std::string> messages;

 private:
  LogSink previous_;
};

}  // namespace speechleak::corpus::test
