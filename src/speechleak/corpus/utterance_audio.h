#pragma once
// Decoding the audio of one Utterance, whatever its AudioSource kind.
//
//  - File: audio::read_audio(path, options). The caller's options.start_s/end_s are used as given.
//  - Segment: the source's [start_s, end_s) replace options.start_s/end_s (the segment IS the utterance).
//  - Command (Kaldi "cmd |"): refused with audio::AudioError CommandFailed unless policy.allow_commands. The
//    command runs under /bin/sh -c (as Kaldi runs it) with stdin from /dev/null; its stdout is read fully and
//    decoded with audio::decode_audio; the source's start_s/end_s replace the caller's when segments cut the
//    recording (start_s > 0 or end_s >= 0).
//    posix_spawn + poll is used rather than popen so that stderr is captured for the error message instead of
//    landing on the terminal (the library never prints). A non-zero exit, a signal, or more than
//    policy.max_command_output_bytes of output is an AudioError CommandFailed naming the command and quoting the
//    end of its stderr. There is no timeout: a hanging command hangs the caller.
//  - A source channel >= 0 overrides options.channel.
#include <cstdint>
#include <string>
#include <vector>

#include "speechleak/audio/audio.h"
#include "speechleak/audio/audio_io.h"
#include "speechleak/corpus/corpus.h"

namespace speechleak::corpus {

struct AudioPolicy {
  bool allow_commands = false;                          // run piped wav.scp commands
  int64_t max_command_output_bytes = int64_t{1} << 31;  // 2 GiB: an hour of 48 kHz stereo float is ~1.4 GB
  // Longer utterances are skipped as "too long" before decoding: attention memory grows with the square of the
  // length (HuBERT-base at 120 s: 6,000 frames, ~3.5 GB of attention scores and softmax). 0 = no limit. Corpus spec key
  // max_audio_seconds.
  double max_seconds = 120;

  void validate() const;  // throws InvalidArgument
  std::string to_string() const;
};

// Throws audio::AudioError (naming the file or "<command> |") for audio that cannot be used.
audio::Audio load_utterance_audio(const Utterance& utterance, const audio::ReadOptions& options = {},
                                  const AudioPolicy& policy = {});

// Runs `command` as described above and returns its stdout. Throws audio::AudioError CommandFailed.
std::vector<unsigned char> run_audio_command(const std::string& command, const AudioPolicy& policy);

}  // namespace speechleak::corpus
