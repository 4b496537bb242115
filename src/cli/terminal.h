#pragma once
// What the program shows a person: the stderr log sink and the progress bar. The library only calls back.
#include <chrono>
#include <string>

#include "speechleak/util/progress.h"

namespace CLI {
class App;
}

namespace speechleak::cli {

// --quiet and --verbose on the app; installs the stderr log sink accordingly (before any subcommand runs).
void add_global_options(CLI::App& app);
bool quiet();

// Draws "stage [=====>    ] 120/415  29% | 0.35 h audio | 41x real time | ETA 0:12" on stderr, at most
// 10 times a second, on one line when stderr is a terminal and every 5 s otherwise. Silent with --quiet.
// Throws Interrupted once SIGINT/SIGTERM asked the program to stop (util/interrupt.h), quiet or not.
class ProgressBar {
 public:
  ProgressBar() = default;
  void operator()(const Progress& p);
  // Ends the line (call once at the end of a stage).
  void finish();
  ProgressCallback callback();

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  std::string stage_;
  bool drawn_ = false;
};

// The program's command line, as typed (recorded by main for config.json files).
void set_command_line(int argc, char** argv);
const std::string& command_line();

// "1:02:03" / "2:03"
std::string format_duration(double seconds);

}  // namespace speechleak::cli
