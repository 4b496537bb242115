#pragma once
// Shared by the CLI tests: run the built program and check what it said.
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"

namespace speechleak::testing {

inline const std::string kCli = SPEECHLEAK_CLI_PATH;

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

}  // namespace speechleak::testing
