#pragma once
// Progress reporting from library loops to whoever drives them (the CLI draws a bar on stderr).
#include <cstdint>
#include <functional>
#include <string>

namespace speechleak {

struct Progress {
  std::string stage;       // e.g. "read corpus", "synthesise", "extract"
  int64_t done = 0;        // items finished
  int64_t total = 0;       // items in all; 0 when unknown
  double work_done = 0.0;  // optional secondary measure (e.g. seconds of audio processed), for rates
  std::string work_unit;   // unit of work_done, e.g. "s audio"; empty when unused
  int64_t failed = 0;      // items skipped so far
};

// Called from the thread running the loop; must be cheap. It may throw to stop the loop (the CLI throws Interrupted
// on SIGINT/SIGTERM, util/interrupt.h): loops call it only where what they wrote so far can be resumed from.
using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace speechleak
