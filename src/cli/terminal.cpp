#include "cli/terminal.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/distributed.h"
#include "speechleak/util/interrupt.h"
#include "speechleak/util/log.h"

namespace speechleak::cli {
namespace {
bool g_quiet = false;
bool g_verbose = false;

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void install_sink() {
  // In a launch of several processes each line names its rank; ranks other than 0 keep to warnings and errors.
  static const std::string prefix = rank_prefix();
  if (launch_rank() > 0 && !g_verbose) g_quiet = true;
  set_log_sink([](LogLevel level, std::string_view message) {
    if (level == LogLevel::Debug && !g_verbose) return;
    if (level == LogLevel::Info && g_quiet) return;
    std::cerr << prefix << (level >= LogLevel::Warn ? std::string(to_string(level)) + ": " : "") << message << "\n";
  });
}
}  // namespace

void add_global_options(CLI::App& app) {
  app.add_flag("-q,--quiet", g_quiet, "Only warnings and errors on stderr; no progress bars");
  app.add_flag("-v,--verbose", g_verbose, "Debug messages on stderr");
  app.parse_complete_callback(install_sink);
}

bool quiet() { return g_quiet; }

namespace {
std::string g_command_line;
}

void set_command_line(int argc, char** argv) {
  g_command_line.clear();
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    const bool plain = arg.find_first_of(" \t'\"&?;|") == std::string::npos && !arg.empty();
    g_command_line += (i ? " " : "") + (plain ? arg : "'" + arg + "'");
  }
}

const std::string& command_line() { return g_command_line; }

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

void ProgressBar::operator()(const Progress& p) {
  throw_if_interrupted();  // every library loop reports here between resumable steps
  if (g_quiet) return;
  auto now = std::chrono::steady_clock::now();
  if (p.stage != stage_) {
    if (drawn_) finish();
    stage_ = p.stage;
    start_ = now;
  }
  const bool tty = stderr_is_terminal();
  const bool last = p.total > 0 && p.done >= p.total;
  if (!last && now - last_draw_ < (tty ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000))) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = p.stage;
  if (p.total > 0) {
    const double frac = std::min(1.0, static_cast<double>(p.done) / p.total);
    const int width = 24, fill = static_cast<int>(frac * width);
    line += " [" + std::string(fill, '=') + (fill < width ? ">" : "") + std::string(std::max(0, width - fill - 1), ' ') +
            "] " + std::to_string(p.done) + "/" + std::to_string(p.total) + " " +
            std::to_string(static_cast<int>(frac * 100)) + "%";
    if (p.done > 0 && !last) line += " | ETA " + format_duration(elapsed * (p.total - p.done) / p.done);
  } else {
    line += " " + std::to_string(p.done);
  }
  if (!p.work_unit.empty() && p.work_done > 0) {
    char buf[96];
    if (p.work_unit == "s audio")  // audio amounts read best in hours
      std::snprintf(buf, sizeof buf, " | %.3f h audio", p.work_done / 3600.0);
    else
      std::snprintf(buf, sizeof buf, " | %.2f %s", p.work_done, p.work_unit.c_str());
    line += buf;
    if (p.work_unit == "s audio" && elapsed > 0) {
      std::snprintf(buf, sizeof buf, " | %.1fx real time", p.work_done / elapsed);
      line += buf;
    }
  }
  if (p.failed > 0) line += " | " + std::to_string(p.failed) + " skipped";
  line += " | " + format_duration(elapsed);
  std::cerr << (tty ? "\r\033[K" : "") << line << (tty ? "" : "\n") << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_ && stderr_is_terminal() && !g_quiet) std::cerr << "\n";
  drawn_ = false;
}

ProgressCallback ProgressBar::callback() {
  return [this](const Progress& p) { (*this)(p); };
}

}  // namespace speechleak::cli
