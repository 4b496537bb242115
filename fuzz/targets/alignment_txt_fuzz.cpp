// A LibriSpeech-Alignments alignment.txt -> parse_alignment_txt.
#include "fuzz_input.h"
#include "speechleak/corpus/alignment_txt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    speechleak::SkipReport skipped;
    (void)speechleak::corpus::parse_alignment_txt(speechleak::fuzz::as_text(data, size), "fuzz.alignment.txt",
                                                  &skipped);
  });
  return 0;
}
