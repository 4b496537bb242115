// config.json of a Hugging Face Wav2Vec2/HuBERT model directory -> read_hf_config, read_do_normalize
// (preprocessor_config.json: the same bytes).
#include "fuzz_input.h"
#include "speechleak/encoder/hf_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  dir.fresh();
  auto text = speechleak::fuzz::as_text(data, size);
  auto config = dir.write("config.json", text);
  dir.write("preprocessor_config.json", text);
  speechleak::fuzz::refuse_only_with_our_errors([&] { (void)speechleak::encoder::read_hf_config(config); });
  speechleak::fuzz::refuse_only_with_our_errors([&] { (void)speechleak::encoder::read_do_normalize(config.parent_path()); });
  return 0;
}
