#pragma once
// What every fuzz target shares: the rule for which exceptions count as a clean refusal, and the ways a target turns
// its bytes into the files a reader wants.
//
// A reader may refuse any input, but only with speechleak's own errors (they name the file and the problem). Any
// other exception (std::out_of_range from an unchecked .at(), a JSON library error that escaped unwrapped) leaves
// the target, and libFuzzer reports it as a crash: a user would have seen a message without a file name.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "speechleak/util/error.h"

namespace speechleak::fuzz {

template <class F>
void refuse_only_with_our_errors(F&& parse) {
  try {
    parse();
  } catch (const speechleak::Error&) {
    // a clean refusal
  }
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut at each "\n@@\n" into at most `n` parts (missing parts are empty): one part per file of a
// multi-file format, in a fixed order the target documents.
inline std::vector<std::string> split_parts(std::string_view text, size_t n) {
  std::vector<std::string> parts;
  constexpr std::string_view sep = "\n@@\n";
  while (parts.size() + 1 < n) {
    size_t at = text.find(sep);
    if (at == std::string_view::npos) break;
    parts.emplace_back(text.substr(0, at));
    text.remove_prefix(at + sep.size());
  }
  parts.emplace_back(text);
  parts.resize(n);
  return parts;
}

// A directory of this process (in /dev/shm when it exists: thousands of writes a second), emptied per input.
class ScratchDir {
 public:
  ScratchDir() {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    path_ = base / ("speechleak-fuzz-" + std::to_string(::getpid()));
  }
  // Empties the directory and returns it.
  const std::filesystem::path& fresh() {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    return path_;
  }
  // Writes `content` to <dir>/<name> (name may contain '/'), returns the path.
  std::filesystem::path write(const std::string& name, std::string_view content) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace speechleak::fuzz
