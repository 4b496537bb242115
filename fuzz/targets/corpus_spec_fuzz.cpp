// A corpus spec as typed on the command line ("librispeech:/data/LibriSpeech:train-clean-100,key=value") ->
// CorpusSpec::parse, and to_string of what parsed.
#include "fuzz_input.h"
#include "speechleak/corpus/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    auto spec = speechleak::corpus::CorpusSpec::parse(speechleak::fuzz::as_text(data, size));
    (void)spec.to_string();
  });
  return 0;
}
