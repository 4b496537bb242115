#include "speechleak/demo/demo.h"

#include <chrono>

#include "speechleak/corpus/spec.h"
#include "speechleak/demo/demo_cache.h"
#include "speechleak/train/pretrain_reuse.h"
#include "speechleak/demo/demo_record.h"
#include "speechleak/demo/noise_masking_stage.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/pipeline/audit_pipeline.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/synth/generator.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/log.h"

namespace speechleak::demo {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// Times the stages and tells the caller when one starts.
class Stages {
 public:
  explicit Stages(const DemoOptions& o) : options_(o) {}
  void start(int index, const std::string& what) {
    std::string line = "[";  // appended piecewise: GCC 12 warns (falsely) on `"[" + std::to_string(...)` here
    line += std::to_string(index);
    line += "/5] ";
    line += what;
    line += " ...";
    if (options_.on_stage) options_.on_stage(line);
    t_ = Clock::now();
  }
  void record(const std::string& name, double seconds) { timings_[name] = seconds; }
  void lap(const std::string& name) {
    const auto now = Clock::now();
    timings_[name] = std::chrono::duration<double>(now - t_).count();
    t_ = now;
  }
  nlohmann::json finish() {
    timings_["total"] = std::chrono::duration<double>(Clock::now() - t0_).count();
    return timings_;
  }

 private:
  const DemoOptions& options_;
  Clock::time_point t0_ = Clock::now(), t_ = t0_;
  nlohmann::json timings_ = nlohmann::json::object();
};

// Step 1. Reused when OUT already holds it; generate_corpus resumes an interrupted synthesis.
void make_corpus(const DemoPreset& p, DemoResult& r, const DemoOptions& o, Stages& stages) {
  const bool cached = fs::exists(r.corpus_dir / "synth.json");
  stages.start(1, cached ? "synthetic corpus (cached: " + r.corpus_dir.string() + ")"
                         : "synthesising corpus into " + r.corpus_dir.string());
  const auto summary = synth::generate_corpus(r.corpus_dir, p.synth, o.progress);
  r.corpus_reused = summary.already_complete;
  log_info((r.corpus_reused ? "reusing " : "wrote ") + std::to_string(summary.utterances) + " utterances (" +
           std::to_string(static_cast<int>(summary.audio_s)) + " s of audio) in " + r.corpus_dir.string());
  stages.lap("corpus");
}

// Step 2. OUT/models/<hash>: a finished run is reused, an interrupted one resumed, otherwise trained.
void make_model(const train::PretrainConfig& config, DemoResult& r, const DemoOptions& o, Stages& stages) {
  using train::PretrainState;
  const auto state = train::pretrain_state(r.model_dir);
  stages.start(2, state == PretrainState::Finished      ? "pretraining (cached: " + r.model_dir.string() + ")"
                  : state == PretrainState::Interrupted ? "pretraining (resuming " + r.model_dir.string() + ")"
                                                        : "pretraining into " + r.model_dir.string());
  r.model_reused = train::pretrain_or_reuse(config, r.model_dir, train::reporting_options(o.progress, o.command_line));
  stages.lap("pretrain");
}

// Steps 3 and 4: the audit pipeline (features of the three roles in resumable stores under OUT/run/features, the
// audit, its run directory and the HTML report), as `speechleak audit --model` runs it.
std::vector<pipeline::RoleInput> audit_model(const DemoPreset& p, DemoResult& r, encoder::Encoder& enc,
                                             const DemoOptions& o, const DemoVariant& v, Stages& stages) {
  pipeline::AuditJob job;
  job.name = "demo-" + p.name + (v.tag().empty() ? "" : "-" + v.tag());
  job.run_dir = r.run_dir;
  job.model_path = r.model_dir.string();
  job.roles = {{"members", members_spec(r.corpus_dir, r.model_dir, r.run_dir), {}, 0},
               {"nonmembers", split_spec(r.corpus_dir, "heldout"), {}, 0},
               {"aux", split_spec(r.corpus_dir, "aux"), {}, 0}};
  job.config = p.audit;
  job.reverse_audio = v.attack_reverse_audio;
  job.command_line = o.command_line.empty() ? "speechleak::demo::run_demo" : o.command_line;
  pipeline::AuditJobHooks hooks;
  hooks.progress = o.progress;
  hooks.before_extract = discard_stale_store;
  hooks.stage_started = [&](const std::string& stage) {
    if (stage == "features") stages.start(3, "extracting features into " + (r.run_dir / "features").string());
    if (stage == "audit") stages.start(4, "auditing: basic and improved attacks at utterance and speaker level");
  };
  hooks.stage_finished = [&](const std::string& stage) { stages.lap(stage); };
  auto result = pipeline::run_audit_job(job, &enc, hooks);
  r.audit = std::move(result.audit);
  if (result.report) r.report = *result.report;
  return result.roles;
}

}  // namespace

DemoResult run_demo(const DemoPreset& preset, const fs::path& out_arg, const DemoOptions& options,
                    const DemoVariant& variant) {
  if (out_arg.empty()) throw invalid_argument("--out", "a directory", "nothing");
  DemoResult r;
  r.variant = variant;
  r.out = fs::absolute(out_arg).lexically_normal();
  if (r.out.filename().empty()) r.out = r.out.parent_path();  // "dir/" -> "dir"
  // The corpus specs of the later stages embed this path; a spec's path ends at its first '?'.
  if (r.out.string().find('?') != std::string::npos)
    throw invalid_argument("--out", "a path without '?' (it would end the corpus specs)", "'" + r.out.string() + "'");
  validate_preset(preset);  // before minutes of synthesis and training, not after
  variant.validate();
  const std::string tag = variant.tag();
  const fs::path record = r.out / (tag.empty() ? "demo.json" : "demo-" + tag + ".json");
  r.record = record;
  runtime::set_torch_threads(options.threads);
  fs::create_directories(r.out);
  fs::remove(record);  // written last: present only when it describes the outputs next to it
  Stages stages(options);

  const auto identity = synth::run_identity(preset.synth);  // validates the synth config
  r.corpus_dir = corpus_dir_for(r.out, identity);
  make_corpus(preset, r, options, stages);

  auto pretrain = preset.pretrain;
  pretrain.corpus = split_spec(r.corpus_dir, "pretrain");
  apply_variant(variant, pretrain);
  const std::string data = variant.extra_speakers > 0
                               ? train_with_extra_speakers(pretrain, r.corpus_dir, r.out, variant.extra_speakers)
                               : "pretrain";
  pretrain.device = options.device;
  pretrain.validate();
  r.model_dir = r.out / "models" / model_hash(pretrain, identity, data);
  make_model(pretrain, r, options, stages);

  r.run_dir = r.out / (tag.empty() ? "run" : "run-" + tag);
  encoder::EncoderOptions encoder_options;
  encoder_options.device = options.device;
  auto enc = encoder::load_encoder(r.model_dir, encoder_options);
  const auto roles = audit_model(preset, r, *enc, options, variant, stages);

  r.noise_masking_dir = r.out / (tag.empty() ? "noise-masking" : "noise-masking-" + tag);
  stages.start(5, "noise masking: fine-tuning a recogniser, then masking the names members said");
  const auto nm = run_noise_masking_stage(preset, r.corpus_dir, r.model_dir, r.noise_masking_dir, options);
  r.asr_dir = nm.asr_dir;
  r.asr_reused = nm.asr_reused;
  r.noise_masking = nm.summary;
  r.noise_masking_table = nm.table;
  stages.record("finetune", nm.finetune_s);
  stages.record("noise_masking", nm.attack_s);

  r.timings = stages.finish();
  r.audit_command = audit_command(preset.audit, r.model_dir, r.corpus_dir, r.out / "run-audit",
                                 variant.attack_reverse_audio, options.device, roles[0].input);
  write_text_file_atomically(record,
                             demo_record(preset, pretrain, r, options.command_line).dump(2) + "\n");
  log_info("demo directory: " + r.out.string());
  return r;
}

}  // namespace speechleak::demo
