// A feature store directory -> StoreReader, then every array of every record read as bytes, float32 and float64.
// The input is cut at "\n@@\n" into store.json, index-0-of-1.jsonl and data-0-of-1-0.bin (in this order).
#include "speechleak/features/feature_store.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  const auto& root = dir.fresh();
  static const char* names[] = {"store.json", "index-0-of-1.jsonl", "data-0-of-1-0.bin"};
  auto parts = speechleak::fuzz::split_parts(speechleak::fuzz::as_text(data, size), std::size(names));
  for (size_t i = 0; i < parts.size(); ++i)
    if (!parts[i].empty()) dir.write(names[i], parts[i]);
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    const speechleak::features::StoreReader reader(root);
    (void)reader.manifest().to_json();
    for (const auto& record : reader.records())
      for (const auto& [name, array] : record.arrays) {
        (void)reader.read_bytes(array);
        (void)reader.read_f32(array);
        (void)reader.read_f64(array);
      }
  });
  return 0;
}
