// A CTC model's vocab.json -> Vocabulary::load, then encode and decode a transcript and every id with the result.
#include "fuzz_input.h"
#include "speechleak/asr/vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  dir.fresh();
  const auto path = dir.write("vocab.json", speechleak::fuzz::as_text(data, size));
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    const auto vocab = speechleak::asr::Vocabulary::load(path);
    std::vector<int64_t> ids;
    for (int64_t id = 0; id < vocab.size(); ++id) ids.push_back(id);
    (void)vocab.decode(ids);
    (void)vocab.encode("HELLO WORLD'S 42 \xc3\xa9t\xc3\xa9", speechleak::asr::OovPolicy::Skip);
    if (vocab.unk() >= 0) (void)vocab.encode("HELLO WORLD", speechleak::asr::OovPolicy::Unk);
  });
  return 0;
}
