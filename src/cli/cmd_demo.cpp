// speechleak demo: the whole pipeline without user data (docs/demo.md): synthesise a corpus, pretrain a small model
// on part of it, audit the model for membership leakage, and explain the table it prints.
// speechleak experiment reversal: the seed paper's reversal study, as four demo variants (docs/results.md).
// speechleak experiment families / ablations: the seed paper's Tables 1 and 2 in shape (one encoder per objective;
// model and data size).
// speechleak experiment noise-masking: the noise-masking study with its defenses and repetitions (docs/results.md).
// speechleak experiment calibrated / canaries: reference-calibrated attacks and one-run canary audits on demo models.
#include <CLI/CLI.hpp>

#include <iostream>
#include <stdexcept>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "speechleak/demo/demo.h"
#include "speechleak/demo/calibrated_experiment.h"
#include "speechleak/demo/canary_experiment.h"
#include "speechleak/demo/confounded_experiment.h"
#include "speechleak/demo/experiments.h"
#include "speechleak/demo/noise_masking_experiment.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::cli {
namespace {

struct DemoCli {
  std::string out = "speechleak-demo";
  std::string preset = "quick";
  int threads = 0;
  std::string device = "cpu";
  demo::DemoVariant variant;
  std::vector<std::string> study_variants;  // experiment noise-masking
  demo::CalibratedStudyOptions calibrated;  // experiment calibrated
  demo::CanaryStudyOptions canaries;        // experiment canaries
  std::string noise_snr = "0:10";           // experiment confounded
};

std::string stage_time(const nlohmann::json& timings, const std::string& stage) {
  return format_duration(timings.value(stage, 0.0));
}

void print_explanation(const demo::DemoResult& r) {
  const auto& t = r.timings;
  std::cout
      << "\nHow to read this\n"
         "  Each row is one membership-inference attack against the model pretrained on the corpus's 'pretrain'\n"
         "  speakers (members), scored on them and on the unseen 'heldout' speakers (non-members).\n"
         "  AUC: the chance that a random member scores above a random non-member. 0.5 = chance (no leakage\n"
         "  measured), 1.0 = perfect separation; [95% CI] is a bootstrap interval: a row whose interval contains\n"
         "  0.5 shows no evidence of leakage at this size.\n"
         "  TPR@1% / TPR@0.1%: share of members found while wrongly flagging at most 1% / 0.1% of non-members\n"
         "  (with few non-members these are coarse or 0).\n"
         "  n+/n-: members / non-members evaluated (speakers held out to calibrate the direction are not counted).\n"
         "  direction: which end of the raw score means 'member': high (the paper's rule) or low, chosen on the\n"
         "  held-out calibration speakers. Improved attacks output 'seen' logits, so they always read high.\n\n"
      << "Files\n"
      << "  run directory  " << r.run_dir.string() << "  (summary.json, scores/, roc/; docs/run-directory.md)\n"
      << "  report         " << (r.report.empty() ? std::string("(not written; see the warning above)")
                                                  : r.report.string())
      << "\n"
      << "  demo record    " << r.record.string() << "\n"
      << "  corpus         " << r.corpus_dir.string() << (r.corpus_reused ? "  (reused)" : "") << "\n"
      << "  model          " << r.model_dir.string() << (r.model_reused ? "  (reused)" : "") << "\n"
      << "  recogniser     " << r.asr_dir.string() << (r.asr_reused ? "  (reused)" : "") << "\n"
      << "  noise masking  " << r.noise_masking_dir.string() << "  (summary.json, noise-masking/outcomes.tsv, "
      << "report.html; docs/noise-masking.md)\n\n"
      << "Wall time: corpus " << stage_time(t, "corpus") << (r.corpus_reused ? " (cached)" : "") << ", pretraining "
      << stage_time(t, "pretrain") << (r.model_reused ? " (cached)" : "") << ", features "
      << stage_time(t, "features") << ", audit " << stage_time(t, "audit") << ", report " << stage_time(t, "report")
      << ", fine-tuning " << stage_time(t, "finetune") << (r.asr_reused ? " (cached)" : "") << ", noise masking "
      << stage_time(t, "noise_masking") << "; total " << stage_time(t, "total") << "\n\n"
      << "The audit step alone, on this corpus and model (same numbers; it writes another run directory):\n  "
      << r.audit_command << "\n";
}

demo::DemoOptions demo_options(ProgressBar& bar, const DemoCli& cli) {
  demo::DemoOptions options;
  options.progress = bar.callback();
  options.on_stage = [&bar](const std::string& stage) {
    bar.finish();
    log_info(stage);
  };
  options.threads = cli.threads;
  options.device = cli.device;
  options.command_line = command_line();
  return options;
}

void run(const DemoCli& cli) {
  const auto preset = demo::demo_preset(cli.preset);
  log_info("speechleak demo, preset " + preset.name + ": " + preset.description);
  ProgressBar bar;
  const auto options = demo_options(bar, cli);
  const auto result = demo::run_demo(preset, cli.out, options, cli.variant);
  bar.finish();
  const auto tag = cli.variant.tag();
  std::cout << "\nMembership inference against the demo model (preset " << preset.name
            << (tag.empty() ? "" : ", variant " + tag) << ")\n\n"
            << audit::format_table(result.audit);
  std::cout << "\nNoise masking against the demo model: names in members' utterances (target) and in non-members'\n"
               "(control) replaced by noise; exact = the recogniser fills in the true name (docs/noise-masking.md)\n\n"
            << result.noise_masking_table
            << "  Only the gap target - control is evidence of memorisation; the unmasked column says how often the\n"
               "  recogniser gets the name right when it can hear it (the ceiling of the attack).\n";
  print_explanation(result);
}

// A study of demo variants (experiments.h): runs it and prints its AUC table under `title (preset P): what`.
void run_study(const DemoCli& cli,
               demo::StudyResult (*study_of)(const demo::DemoPreset&, const std::filesystem::path&,
                                             const demo::DemoOptions&),
               const std::string& title, const std::string& what) {
  const auto preset = demo::demo_preset(cli.preset);
  ProgressBar bar;
  const auto study = study_of(preset, cli.out, demo_options(bar, cli));
  bar.finish();
  std::cout << "\n" << title << " (preset " << preset.name << "): " << what << "\n\n"
            << demo::format_study_table(study) << "\nTable, JSON and side-by-side report: "
            << (study.cells.front().result.out / (study.name + ".{md,json,html}")).string() << "\n";
}

void run_reversal(const DemoCli& cli) {
  run_study(cli, demo::run_reversal_study, "Reversal study",
            "AUC [95% CI] per attack; 'model: reversed' was pretrained on time-reversed audio,\n'attack: reversed' "
            "extracts the audited features from reversed audio.");
}

void run_ablations(const DemoCli& cli) {
  run_study(cli, demo::run_ablations_study, "Ablations",
            "AUC [95% CI] per attack of the same recipe at three model sizes (parameters) and\non 1x, 2x and 3x the "
            "pretraining data at the same steps (the seed paper's Table 2 in shape;\nthe extra speakers are never "
            "audited).");
}

void run_families(const DemoCli& cli) {
  run_study(cli, demo::run_families_study, "Encoder families",
            "AUC [95% CI] per attack of the same recipe pretrained with each objective\n(the seed paper's Table 1 in "
            "shape; CPC is not built).");
}

void run_noise_masking(const DemoCli& cli) {
  const auto preset = demo::noise_masking_study_preset(cli.preset);
  std::vector<demo::NoiseMaskingVariant> variants;
  for (const auto& name : cli.study_variants) variants.push_back(demo::noise_masking_variant(name));
  if (variants.empty()) variants = demo::noise_masking_variants();
  log_info("noise-masking study, preset " + preset.name + ": " + preset.description + "; " +
           std::to_string(variants.size()) + " variants");
  ProgressBar bar;
  const auto study = demo::run_noise_masking_study(preset, variants, cli.out, demo_options(bar, cli));
  bar.finish();
  std::cout << "\nNoise-masking study (preset " << preset.name << "): names in the inserted canaries (target) and in "
            << "the held-out ones\n(control) masked; exact = the recogniser fills in the true name; unmasked = it "
            << "gets the name right\nwhen it hears it (the attack's ceiling). docs/noise-masking.md\n\n"
            << demo::format_noise_masking_study_table(study) << "\nTable, record and side-by-side report: "
            << (study.out / "noise-masking-study.{md,json,html}").string() << "\n";
}

void run_calibrated(const DemoCli& cli) {
  const auto preset = demo::demo_preset(cli.preset);
  ProgressBar bar;
  const auto study = demo::run_calibrated_study(preset, cli.out, demo_options(bar, cli), cli.calibrated);
  bar.finish();
  std::cout << "\nCalibrated attacks against the demo model (preset " << preset.name << "), " << study.runs
            << " reference encoders (" << format_duration(study.reference_train_s) << " of training):\n\n"
            << study.markdown << "\nTable, record and report: " << study.table.string() << ", " << study.record.string()
            << ", " << study.report.string() << "\n";
}

void run_canaries(const DemoCli& cli) {
  const auto preset = demo::demo_preset(cli.preset);
  ProgressBar bar;
  const auto study = demo::run_canary_study(preset, cli.out, demo_options(bar, cli), cli.canaries);
  bar.finish();
  std::cout << "\nOne-run canary audits (preset " << preset.name << "): canaries drawn into the pretraining data "
            << "with probability 1/2,\nguesses fixed in advance (docs/calibrated-attacks.md)\n\n"
            << study.markdown << "\nTable and record: " << study.table.string() << ", " << study.record.string() << "\n";
}

void run_confounded(const DemoCli& cli) {
  const auto preset = demo::demo_preset(cli.preset);
  const auto parts = text::split(cli.noise_snr, ':');
  demo::ConfoundedStudyOptions o;
  try {
    if (parts.size() != 2) throw std::invalid_argument("");
    o.snr_min_db = std::stod(parts[0]);
    o.snr_max_db = std::stod(parts[1]);
  } catch (const std::exception&) {
    throw invalid_argument("--noise-snr", "MIN:MAX in dB", "'" + cli.noise_snr + "'");
  }
  ProgressBar bar;
  const auto study = demo::run_confounded_study(preset, cli.out, demo_options(bar, cli), o);
  bar.finish();
  std::cout << "\nConfounded splits (preset " << preset.name << "): the demo's clean split; the paper's split (non-members"
            << " = aux = one pool,\nhalf of its speakers recorded with background noise at " << cli.noise_snr
            << " dB SNR); the same with \"members\" the model never trained on\n\n"
            << study.markdown << "\nTable and record: " << study.table.string() << ", " << study.record.string() << "\n";
}

void add_common_options(CLI::App* cmd, DemoCli& cli) {
  std::string presets;
  for (const auto& name : demo::demo_preset_names())
    presets += "\n  " + name + ": " + demo::demo_preset(name).description;
  cmd->add_option("--out", cli.out, "Output directory (corpus, models, run, demo.json; reused when run again)")
      ->capture_default_str();
  cmd->add_option("--preset", cli.preset, "Size of the demo:" + presets)->capture_default_str();
  cmd->add_option("--threads", cli.threads, "libtorch threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--device", cli.device, "Pretraining and extraction: cpu, cuda or cuda:N (needs a CUDA libtorch)")
      ->capture_default_str();
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("experiment", "Studies of the seed papers, run on demo models (docs/results.md)");
  cmd->require_subcommand(1);
  auto cli = std::make_shared<DemoCli>();
  auto* reversal = cmd->add_subcommand("reversal", "Pretrain on time-reversed audio and attack with plain and "
                                                   "reversed audio (the seed paper's Tables 3-4)");
  add_common_options(reversal, *cli);
  reversal->callback([cli] { run_reversal(*cli); });
  auto* families = cmd->add_subcommand("families", "The demo's recipe pretrained with the HuBERT, wav2vec 2.0 and TERA "
                                                   "objectives, same corpus, same audit (the seed paper's Table 1)");
  add_common_options(families, *cli);
  families->callback([cli] { run_families(*cli); });
  auto* ablations = cmd->add_subcommand("ablations", "The demo's recipe at three model sizes and on three amounts of "
                                                     "pretraining data, same steps, same audit (the seed paper's "
                                                     "Table 2)");
  add_common_options(ablations, *cli);
  ablations->callback([cli] { run_ablations(*cli); });

  auto nm_cli = std::make_shared<DemoCli>();
  nm_cli->preset = "study";
  nm_cli->out = "speechleak-noise-masking";
  auto* nm = cmd->add_subcommand("noise-masking", "Pretrain on canaries, fine-tune a recogniser, mask the names: "
                                                  "no defense, each defense, silencing + MTR, repetitions 1/4/16");
  add_common_options(nm, *nm_cli);
  nm->get_option("--preset")->description("study (about 20-25 minutes per variant on 2 cores) or test (seconds)");
  std::string variants;
  for (const auto& v : demo::noise_masking_variants()) variants += (variants.empty() ? "" : ", ") + v.name;
  nm->add_option("--variant", nm_cli->study_variants, "Repeatable; default: all of " + variants);
  nm->callback([nm_cli] { run_noise_masking(*nm_cli); });

  auto cal_cli = std::make_shared<DemoCli>();
  auto* cal = cmd->add_subcommand("calibrated", "Reference encoders with the demo model's recipe, then LiRA, RMIA "
                                                "and the quantile attack beside basic and improved");
  add_common_options(cal, *cal_cli);
  cal->add_option("--runs", cal_cli->calibrated.runs, "Reference runs (each candidate speaker IN for half)")
      ->capture_default_str();
  cal->add_option("--reference-seed", cal_cli->calibrated.seed, "Seed of the keep matrix and the runs")
      ->capture_default_str();
  cal->callback([cal_cli] { run_calibrated(*cal_cli); });

  auto can_cli = std::make_shared<DemoCli>();
  auto* can = cmd->add_subcommand("canaries", "One-run canary audits: utterance and speaker canaries inserted into "
                                              "the demo's pretraining data, without and with a defense");
  add_common_options(can, *can_cli);
  can->add_option("--defense", can_cli->canaries.defenses, "Variants to pretrain (repeatable; 'none' = no "
                                                           "defense); default: none and noise-augment")
      ->capture_default_str();
  can->add_option("--utterance-canaries", can_cli->canaries.utterance_canaries, "m utterance canaries")
      ->capture_default_str();
  can->add_option("--speaker-canaries", can_cli->canaries.speaker_canaries, "m speaker canaries")
      ->capture_default_str();
  auto conf_cli = std::make_shared<DemoCli>();
  auto* conf = cmd->add_subcommand("confounded", "The demo's audit on the seed paper's kind of split (non-members = "
                                                 "aux, half noisy), with and without real members: what the blind "
                                                 "baseline catches");
  add_common_options(conf, *conf_cli);
  conf->add_option("--noise-snr", conf_cli->noise_snr, "MIN:MAX dB of the noisy speakers' background noise")
      ->capture_default_str();
  conf->callback([conf_cli] { run_confounded(*conf_cli); });

  can->callback([can_cli] {
    for (auto& d : can_cli->canaries.defenses)
      if (d == "none") d.clear();
    run_canaries(*can_cli);
  });
}

void add_demo_command(CLI::App& app) {
  auto cli = std::make_shared<DemoCli>();
  auto* cmd = app.add_subcommand("demo", "An end-to-end audit without user data: synthetic corpus, pretraining, "
                                         "membership inference, report (docs/demo.md)");
  add_common_options(cmd, *cli);
  cmd->add_option("--defense", cli->variant.defenses,
                  "Pretraining-time defense (repeatable): reverse-audio, noise-augment, silence-names, "
                  "sanitize-names; the model is cached under its own hash, results go to OUT/run-<variant>");
  cmd->add_flag("--attack-reversed", cli->variant.attack_reverse_audio,
                "Attack with time-reversed audio (the seed paper's Table 4)");
  cmd->add_option("--objective", cli->variant.objective,
                  "Pretraining objective: hubert (the presets'), wav2vec2 (the same recipe with wav2vec 2.0's "
                  "contrastive objective; results go to OUT/run-wav2vec2) or tera (TERA's reconstruction of altered "
                  "log-mel frames, OUT/run-tera)");
  cmd->callback([cli] { run(*cli); });
}

}  // namespace speechleak::cli
