// A Kaldi data directory -> read_kaldi, plain and with librispeech_readers. The input is cut at "\n@@\n" into
// wav.scp, utt2spk, text, segments, spk2gender, utt2dur (in this order); an empty part is a missing file, and a
// wav.scp entry "exists.wav" names a real (empty) file so that rows get past the existence check.
#include "fuzz_input.h"
#include "speechleak/corpus/kaldi.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  const auto& root = dir.fresh();
  static const char* names[] = {"wav.scp", "utt2spk", "text", "segments", "spk2gender", "utt2dur"};
  auto parts = speechleak::fuzz::split_parts(speechleak::fuzz::as_text(data, size), std::size(names));
  for (size_t i = 0; i < parts.size(); ++i)
    if (!parts[i].empty()) dir.write(names[i], parts[i]);
  dir.write("exists.wav", "");
  std::error_code ec;
  std::filesystem::current_path(root, ec);  // relative wav.scp paths resolve against the working directory
  for (bool readers : {false, true}) {
    speechleak::corpus::KaldiOptions options;
    options.librispeech_readers = readers;
    speechleak::fuzz::refuse_only_with_our_errors([&] { (void)speechleak::corpus::read_kaldi(root, options); });
  }
  return 0;
}
