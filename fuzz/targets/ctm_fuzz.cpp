// A CTM alignment file -> parse_ctm.
#include "fuzz_input.h"
#include "speechleak/corpus/ctm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    speechleak::SkipReport skipped;
    (void)speechleak::corpus::parse_ctm(speechleak::fuzz::as_text(data, size), "fuzz.ctm", &skipped);
  });
  return 0;
}
