// Audio bytes (WAV, FLAC, ... whatever libsndfile reads) -> decode_audio, resampled to 16 kHz and at the file's rate.
#include <span>

#include "fuzz_input.h"
#include "speechleak/audio/audio_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const unsigned char> bytes(data, size);
  for (int rate : {16000, 0}) {
    speechleak::audio::ReadOptions options;
    options.target_rate = rate;
    options.min_samples = 0;
    speechleak::fuzz::refuse_only_with_our_errors([&] { (void)speechleak::audio::decode_audio(bytes, "fuzz.wav", options); });
  }
  return 0;
}
