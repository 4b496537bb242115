#pragma once
// Shared by the pretraining tests: a tiny model config, speech-like test signals and a tiny corpus on disk.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "speechleak/audio/audio_io.h"
#include "speechleak/corpus/ctm.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/random.h"
#include "speechleak/util/text.h"
#include "support/test_support.h"
#include "support/tiny_encoder.h"

namespace speechleak::train::test {

// conv 16 x 7 (standard strides), width 32, 2 layers: trains a step in milliseconds.
inline PretrainConfig tiny_config() {
  PretrainConfig c;
  c.corpus = "unused";
  c.arch = "test-tiny";
  c.model = speechleak::testing::tiny_encoder_config("hubert");
  c.hubert.kmeans.clusters = 8;
  c.hubert.kmeans.max_iterations = 10;
  c.epochs = 3;
  c.data.batch_size = 3;
  c.data.max_seconds = 1.0;
  c.data.min_seconds = 0.1;
  c.optim.lr = 2e-3;
  c.optim.warmup_fraction = 0.1;
  c.seed = 7;
  return c;
}

// A speech-like signal: 80 ms "syllables" of two harmonic tones with a raised-cosine envelope, frequencies drawn
// from `seed`.
inline std::vector<float> speechish(double seconds, uint64_t seed, int rate = 16000) {
  Rng rng(seed);
  const auto n = static_cast<size_t>(seconds * rate);
  std::vector<float> out(n);
  const size_t seg = rate * 8 / 100;
  for (size_t s = 0; s < n; s += seg) {
    const double f1 = 150 + 250 * uniform01(rng), f2 = 700 + 1800 * uniform01(rng);
    for (size_t i = s; i < std::min(n, s + seg); ++i) {
      const double t = static_cast<double>(i) / rate, env = 0.5 - 0.5 * std::cos(2 * M_PI * (i - s) / seg);
      out[i] = static_cast<float>(env * (0.3 * std::sin(2 * M_PI * f1 * t) + 0.15 * std::sin(2 * M_PI * f2 * t)));
    }
  }
  return out;
}

struct TinyCorpus {
  std::string spec;                    // manifest spec with ?alignments=
  std::filesystem::path names_tsv;     // synthetic-corpus style names.tsv
  std::vector<std::string> with_names; // utterance ids that mention a name
};

// `speakers` x `utts` utterances of 1.2 s; every third utterance says "MEET ALICE MORGAN TODAY" (the name at
// 0.4-0.8 s), the others "THE CAT SAT DOWN". Word alignments in a CTM, names in names.tsv.
inline TinyCorpus write_tiny_corpus(const std::filesystem::path& dir, int speakers = 2, int utts = 3) {
  std::filesystem::create_directories(dir / "audio");
  std::string manifest = "utt_id\tspeaker_id\tpath\ttranscript\n";
  std::string names = "split\tutt_id\tspeaker_id\tname\tfirst_name\tsurname\tword_index\tnum_words\tstart_s\tend_s\n";
  corpus::AlignmentMap alignments;
  TinyCorpus out;
  int k = 0;
  for (int s = 0; s < speakers; ++s) {
    for (int u = 0; u < utts; ++u, ++k) {
      const std::string spk = "spk" + std::to_string(s), id = spk + "-u" + std::to_string(u);
      audio::Audio a;
      a.samples = speechish(1.2, 100 + k);
      audio::write_audio(dir / "audio" / (id + ".wav"), a);
      const bool named = k % 3 == 0;
      std::vector<corpus::WordSpan> words =
          named ? std::vector<corpus::WordSpan>{{"MEET", 0.1, 0.4}, {"ALICE", 0.4, 0.6}, {"MORGAN", 0.6, 0.8},
                                                {"TODAY", 0.8, 1.1}}
                : std::vector<corpus::WordSpan>{{"THE", 0.1, 0.3}, {"CAT", 0.3, 0.6}, {"SAT", 0.6, 0.8},
                                                {"DOWN", 0.8, 1.1}};
      std::string transcript;
      for (const auto& w : words) transcript += (transcript.empty() ? "" : " ") + w.word;
      manifest += id + "\t" + spk + "\taudio/" + id + ".wav\t" + transcript + "\n";
      alignments[id] = words;
      if (named) {
        names += "pretrain\t" + id + "\t" + spk + "\tALICE MORGAN\tALICE\tMORGAN\t1\t2\t0.400000\t0.800000\n";
        out.with_names.push_back(id);
      }
    }
  }
  testing::write_text(dir / "manifest.tsv", manifest);
  testing::write_text(dir / "names.tsv", names);
  corpus::write_ctm(dir / "align.ctm", alignments);
  out.spec = "manifest:" + (dir / "manifest.tsv").string() + "?alignments=" + (dir / "align.ctm").string();
  out.names_tsv = dir / "names.tsv";
  return out;
}

// A train_log.csv with its wall-seconds column blanked: what two runs of the same training must agree on.
inline std::string train_log_without_seconds(const std::filesystem::path& log) {
  const auto lines = read_lines(log);
  if (lines.empty()) return "";
  const auto header = text::split(lines[0], ',');
  const auto seconds = std::find(header.begin(), header.end(), "seconds") - header.begin();
  std::string out;
  for (const auto& line : lines) {
    auto f = text::split(line, ',');
    if (seconds < static_cast<std::ptrdiff_t>(f.size())) f[seconds] = "";
    out += text::join(f, ",") + "\n";
  }
  return out;
}

}  // namespace speechleak::train::test
