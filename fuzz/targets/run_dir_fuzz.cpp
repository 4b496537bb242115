// A run directory as `speechleak report` reads it -> load_run, then the HTML page rendered from it. The input is
// cut at "\n@@\n" into config.json, summary.json, roc/utterance-basic.csv, scores/utterance-basic.csv,
// roc/speaker-basic.csv, scores/speaker-basic.csv and noise-masking/outcomes.tsv (in this order).
#include "fuzz_input.h"
#include "speechleak/report/html_report.h"
#include "speechleak/report/run_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static speechleak::fuzz::ScratchDir dir;
  const auto& root = dir.fresh();
  static const char* names[] = {"config.json",           "summary.json",          "roc/utterance-basic.csv",
                                "scores/utterance-basic.csv", "roc/speaker-basic.csv", "scores/speaker-basic.csv",
                                "noise-masking/outcomes.tsv"};
  auto parts = speechleak::fuzz::split_parts(speechleak::fuzz::as_text(data, size), std::size(names));
  for (size_t i = 0; i < parts.size(); ++i)
    if (!parts[i].empty()) dir.write(names[i], parts[i]);
  speechleak::fuzz::refuse_only_with_our_errors([&] {
    std::vector<speechleak::report::RunData> runs{speechleak::report::load_run(root)};
    speechleak::report::make_run_names_unique(runs);
    (void)speechleak::report::render_report(runs, {}, "");
  });
  return 0;
}
