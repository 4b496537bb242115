#pragma once
// Shared by the synth tests: a tiny corpus config and a byte snapshot of a directory tree.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "speechleak/synth/config.h"

namespace speechleak::synth::test {

// A few speakers x few utterances: fast, yet every split, names and canaries are exercised.
inline SynthConfig tiny_config(uint64_t seed = 7) {
  SynthConfig c;
  c.seed = seed;
  c.pretrain_speakers = 2;
  c.aux_speakers = 1;
  c.heldout_speakers = 2;
  c.finetune_speakers = 1;
  c.utts_per_speaker = 3;
  c.sentences.min_words = 5;
  c.sentences.max_words = 12;
  c.sentences.name_fraction = 0.6;
  c.canaries.count = 4;
  c.canaries.new_speakers = 1;
  return c;
}

// Relative path -> file bytes, for every regular file under root.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    files[std::filesystem::relative(e.path(), root).string()] = s.str();
  }
  return files;
}

}  // namespace speechleak::synth::test
