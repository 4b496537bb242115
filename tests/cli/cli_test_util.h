#pragma once
// Shared by the CLI tests: run the built program and check what it said.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "speechleak/util/file_io.h"

#include "support/test_support.h"

namespace speechleak::testing {

inline const std::string kCli = SPEECHLEAK_CLI_PATH;
// The committed tiny HuBERT fixture (scripts/make_encoder_fixtures.py): a model any command can load.
inline const std::filesystem::path kFixtureModel =
    std::filesystem::path(SPEECHLEAK_SOURCE_DIR) / "tests/fixtures/encoder/a_hubert_group";

// Runs `speechleak ARGS`, expects exit status 0, returns stdout+stderr.
inline std::string run_ok(const std::string& args) {
  std::string out;
  EXPECT_EQ(run_command(kCli + " " + args, &out), 0) << args << "\n" << out;
  return out;
}

// Runs `speechleak ARGS`, expects exit status 1 and output that names `what`.
inline void expect_refused(const std::string& args, const std::string& what) {
  std::string out;
  EXPECT_EQ(run_command(kCli + " " + args, &out), 1) << args << "\n" << out;
  EXPECT_NE(out.find(what), std::string::npos) << args << "\n" << out;
}

inline void expect_contains(const std::string& text, const std::string& what) {
  EXPECT_NE(text.find(what), std::string::npos) << "expected '" << what << "' in:\n" << text;
}

inline size_t lines_in(const std::filesystem::path& file) {
  return std::filesystem::exists(file) ? read_lines(file).size() : 0;
}

// Polls until `ready` holds (or 60 s passed).
inline bool wait_until(const std::function<bool()>& ready) {
  for (int i = 0; i < 1200; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

struct SignalledRun {
  bool reached = false;  // `ready` held before the signal was sent
  int status = -1;
  std::string log;
};

// Runs the CLI with `args` in the background, sends `signal` once `ready` holds, and waits for it to exit. The
// signal goes to the program, or to the process `target` picks given the program's pid (e.g. one of its children).
inline SignalledRun interrupt_when(const std::string& args, const std::filesystem::path& log,
                                   const std::function<bool()>& ready, int signal,
                                   const std::function<int(int)>& target = {}) {
  SignalledRun r;
  const int pid = start_command(kCli + args, log);
  if (pid <= 0) return r;
  r.reached = wait_until(ready);
  ::kill(target ? target(pid) : pid, signal);
  r.status = wait_command(pid);
  r.log = read_text_file(log);
  return r;
}

}  // namespace speechleak::testing
