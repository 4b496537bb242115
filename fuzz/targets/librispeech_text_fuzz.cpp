// LibriSpeech's text files: SPEAKERS.TXT (read_librispeech_speakers, which parses every row), then a chapter's
// trans.txt, read inside read_librispeech: the input's second part (after "\n@@\n") becomes
// 1089/134686/1089-134686.trans.txt of a one-chapter tree, with 1089-134686-0000.flac present (empty).
#include "fuzz_input.h"
#include "speechleak/corpus/librispeech.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  const auto& root = dir.fresh();
  auto parts = speechleak::fuzz::split_parts(speechleak::fuzz::as_text(data, size), 2);
  auto speakers = dir.write("SPEAKERS.TXT", parts[0]);
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    speechleak::SkipReport skipped;
    (void)speechleak::corpus::read_librispeech_speakers(speakers, &skipped);
  });
  dir.write("train-clean-100/1089/134686/1089-134686.trans.txt", parts[1]);
  dir.write("train-clean-100/1089/134686/1089-134686-0000.flac", "");
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    speechleak::corpus::LibriSpeechOptions options;
    options.subsets = {"train-clean-100"};
    (void)speechleak::corpus::read_librispeech(root, options);
  });
  return 0;
}
