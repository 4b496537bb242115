#include "speechleak/demo/noise_masking_stage.h"

#include <chrono>

#include "speechleak/asr/ctc_model.h"
#include "speechleak/corpus/load.h"
#include "speechleak/demo/demo_cache.h"
#include "speechleak/demo/demo_record.h"
#include "speechleak/noise_masking/study.h"
#include "speechleak/report/html_report.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::demo {
namespace fs = std::filesystem;

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// "librispeech:<corpus>:<split>?alignments=<corpus>/<split>.ctm": the word alignments set the fill's speech level.
std::string aligned_split(const fs::path& corpus, const std::string& split) {
  return split_spec(corpus, split) + "?alignments=" + (corpus / (split + ".ctm")).string();
}

}  // namespace

NoiseMaskingStageResult run_noise_masking_stage(const DemoPreset& preset, const fs::path& corpus_dir,
                                                const fs::path& model_dir, const fs::path& run_dir,
                                                const DemoOptions& o) {
  NoiseMaskingStageResult r;
  r.run_dir = run_dir;
  auto t0 = std::chrono::steady_clock::now();
  auto finetune = preset.finetune;
  finetune.pretrained = model_dir.string();
  finetune.corpus = split_spec(corpus_dir, "finetune");
  finetune.validate();
  r.asr_dir = make_recogniser(finetune, model_dir, o.progress, o.command_line, &r.asr_reused);
  r.finetune_s = since(t0);

  t0 = std::chrono::steady_clock::now();
  auto loaded = asr::load_ctc_directory(r.asr_dir);
  const auto targets = corpus::load_corpus(corpus::CorpusSpec::parse(aligned_split(corpus_dir, "pretrain")));
  const auto control = corpus::load_corpus(corpus::CorpusSpec::parse(aligned_split(corpus_dir, "heldout")));
  const auto names = corpus::NameList::load(corpus_dir / "names.tsv");
  noise_masking::StudyInputs in{&targets, &control, &names, {loaded.model, loaded.do_normalize, "demo recogniser"}, {}};
  const auto result = noise_masking::run_study(in, preset.noise_mask, o.progress);
  const auto config = noise_masking::study_config(o.command_line.empty() ? "speechleak::demo::run_demo" : o.command_line,
                                                  r.asr_dir.string(), "", in, preset.noise_mask,
                                                  {{"finetune", finetune.to_json()}});
  noise_masking::write_study_directory(run_dir, result, preset.noise_mask, config);
  report::write_report_or_warn({run_dir}, rundir::report_file(run_dir));
  r.summary = result.to_json();
  r.table = noise_masking::format_table(result);
  r.attack_s = since(t0);
  return r;
}

}  // namespace speechleak::demo
