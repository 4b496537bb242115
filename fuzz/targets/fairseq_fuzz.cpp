// A fairseq manifest -> read_fairseq with each speaker rule. The input is cut at "\n@@\n" into train.tsv,
// train.wrd, train.ltr; an empty part is a missing file. Audio paths under the scratch directory that end in
// "exists.flac" exist (empty), so that their rows get past the existence check.
#include "fuzz_input.h"
#include "speechleak/corpus/fairseq.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  const auto& root = dir.fresh();
  auto parts = speechleak::fuzz::split_parts(speechleak::fuzz::as_text(data, size), 3);
  auto tsv = dir.write("train.tsv", parts[0]);
  if (!parts[1].empty()) dir.write("train.wrd", parts[1]);
  if (!parts[2].empty()) dir.write("train.ltr", parts[2]);
  dir.write("1089/134686/exists.flac", "");
  std::error_code ec;
  std::filesystem::current_path(root, ec);  // a relative root line resolves against the working directory
  for (const char* rule : {"librispeech", "parent", "prefix"}) {
    speechleak::corpus::FairseqOptions options;
    options.speaker_rule = rule;
    speechleak::fuzz::refuse_only_with_our_errors([&] { (void)speechleak::corpus::read_fairseq(tsv, options); });
  }
  return 0;
}
