// A Praat TextGrid (long or short text format, UTF-8 or UTF-16 with BOM) -> read_textgrid.
#include "fuzz_input.h"
#include "speechleak/corpus/textgrid.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  dir.fresh();
  auto path = dir.write("utt.TextGrid", speechleak::fuzz::as_text(data, size));
  speechleak::fuzz::refuse_only_with_our_errors([&] { (void)speechleak::corpus::read_textgrid(path); });
  return 0;
}
