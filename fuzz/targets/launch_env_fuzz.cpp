// A launcher's environment (torchrun's or Slurm's variables, one NAME=VALUE per line) -> distributed_env, and the
// first line as a Slurm node list -> first_slurm_host.
#include <map>
#include <string>

#include "fuzz_input.h"
#include "speechleak/runtime/distributed_env.h"
#include "speechleak/util/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(speechleak::fuzz::as_text(data, size));
  std::map<std::string, std::string> vars;
  for (const auto& line : speechleak::text::split(text, '\n')) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
  }
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    (void)speechleak::runtime::distributed_env([&](const char* name) -> const char* {
      const auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    });
  });
  speechleak::fuzz::refuse_only_with_our_errors(
      [&] { (void)speechleak::runtime::first_slurm_host(text.substr(0, text.find('\n'))); });
  return 0;
}
