// speechleak's TSV manifest -> read_manifest (with extras). Rows name audio that does not exist: they are skipped
// after their fields are parsed, which is what is fuzzed here.
#include "fuzz_input.h"
#include "speechleak/corpus/tsv_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  dir.fresh();
  auto path = dir.write("manifest.tsv", speechleak::fuzz::as_text(data, size));
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    speechleak::corpus::ManifestExtras extras;
    (void)speechleak::corpus::read_manifest(path, &extras);
  });
  return 0;
}
