#include "cli/audit_options.h"

#include <CLI/CLI.hpp>

#include "cli/terminal.h"
#include "speechleak/references/reference_runs.h"
#include "speechleak/train/pretext_signal.h"
#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::cli {

void AuditArgs::resolve() {
  if (level == "both") config.levels = {"utterance", "speaker"};
  else config.levels = {level};
  if (attack == "all") {
    config.attacks = {"basic", "improved", "quantile"};
    if (!references.empty()) {
      const bool online = !references::ReferenceSet::load(references).keep().offline();
      for (const auto& a : audit::calibrated_attack_names())
        if ((online || !audit::needs_online_references(a)) && (a != "loss" || train::has_pretext_head(model)))
          config.attacks.push_back(a);
    }
  } else {
    config.attacks = text::split(attack, ',');
  }
  if (lira_variance != "fixed" && lira_variance != "per-example")
    throw invalid_argument("--lira-variance", "fixed or per-example", "'" + lira_variance + "'");
  config.calibrated.lira.variance =
      lira_variance == "fixed" ? attack::LiraVariance::Fixed : attack::LiraVariance::PerExample;
  config.calibrated.tune_rmia_a = !fixed_rmia_a;
  config.set_direction(direction);
  config.distance = audit::parse_distance(distance);
  config.validate();
}

void add_audit_options(CLI::App& cmd, AuditArgs& a) {
  auto& c = a.config;
  cmd.add_option("--model", a.model, "HF model directory or TorchScript file; without it, the three inputs are "
                                     "feature stores (docs/feature-store.md)");
  cmd.add_option("--members", a.members, "Members: corpus spec (or store)")->required();
  cmd.add_option("--nonmembers", a.nonmembers, "Evaluation non-members: corpus spec (or store)")->required();
  cmd.add_option("--aux", a.aux, "Attacker's auxiliary non-members, disjoint from --nonmembers")->required();
  cmd.add_option("--out", a.out, "Run directory")->required();
  cmd.add_option("--name", a.name, "Run name in reports (default: the directory name)");
  cmd.add_option("--level", a.level, "utterance, speaker or both")->capture_default_str();
  cmd.add_option("--attack", a.attack,
                 "basic, improved, quantile (difficulty-calibrated basic score; needs --model), loss (the model's own "
                 "pretext probability; speechleak-pretrained models), lira, lira-offline, lira-mean (speaker level), "
                 "rmia, rmia-offline (need --references), a comma-separated list, or all")
      ->capture_default_str();
  cmd.add_option("--references", a.references, "Reference encoders for lira/rmia (speechleak references train; needs "
                                               "--model): scored on the same audio as the target")
      ->check(CLI::ExistingDirectory);
  cmd.add_option("--signal", c.calibrated.signal, "What the calibrated attacks compare across models: basic (the "
                                                  "basic score), pretext (the pretraining head's probability of its "
                                                  "targets; speechleak's own models) or auto")
      ->capture_default_str();
  cmd.add_option("--lira-variance", a.lira_variance, "fixed (pooled; better below ~64 runs) or per-example")
      ->capture_default_str();
  cmd.add_option("--rmia-gamma", c.calibrated.rmia.gamma, "RMIA: LR(x, z) >= gamma counts z as dominated")
      ->capture_default_str();
  cmd.add_option("--rmia-a", c.calibrated.rmia.offline_a, "Offline RMIA's a, used when it cannot be tuned on the "
                                                          "references (or with --fixed-rmia-a)")
      ->capture_default_str();
  cmd.add_flag("--fixed-rmia-a", a.fixed_rmia_a, "Use --rmia-a as given instead of tuning it on the references");
  cmd.add_option("--layer", c.layer, "Hidden state (0 = input of the first layer); default: last");
  cmd.add_option("--distance", a.distance, "Utterance distance: cosine or euclidean")->capture_default_str();
  cmd.add_option("--direction", a.direction, "high (paper: member when above), low, or calibrate")->capture_default_str();
  cmd.add_option("--calibration-speakers", c.calibration_speakers, "Speakers per side held out to calibrate")
      ->capture_default_str();
  cmd.add_flag("--reverse-audio", a.reverse_audio, "Attack with time-reversed waveforms (needs --model)");
  cmd.add_flag("--no-blind-baseline{false}", c.blind_baseline,
               "Skip the blind baseline (a model-free classifier of members vs non-members from audio descriptors, "
               "printed above the table; needs --model)");
  cmd.add_option("--max-utts-per-speaker", c.max_utts_per_speaker, "Seeded cap (0 = all)")->capture_default_str();
  cmd.add_option("--k-utterance", c.improved_utterance.k, "Pseudo-labelled utterances per side")->capture_default_str();
  cmd.add_option("--k-speaker", c.improved_speaker.k, "Pseudo-labelled speakers per side")->capture_default_str();
  for (auto* t : {&c.improved_utterance.train, &c.improved_speaker.train}) {
    const std::string p = t == &c.improved_utterance.train ? "--utterance-" : "--speaker-";
    cmd.add_option(p + "lr", t->learning_rate, "Attacker learning rate")->capture_default_str();
    cmd.add_option(p + "epochs", t->max_epochs, "Attacker epochs (max)")->capture_default_str();
    cmd.add_option(p + "patience", t->patience, "Early-stopping patience")->capture_default_str();
    cmd.add_option(p + "batch", t->batch_size, "Attacker batch size")->capture_default_str();
  }
  cmd.add_option("--bootstrap", c.metrics.bootstrap_replicates, "Bootstrap replicates (0 = no intervals)")
      ->capture_default_str();
  cmd.add_option("--seed", c.seed, "Seed of every random step (attackers, bootstrap, sampling)")->capture_default_str();
  cmd.add_option("--threads", a.threads, "libtorch threads (0 = all cores)")->capture_default_str();
  cmd.add_option("--device", a.device, "Where the model runs for extraction: cpu, cuda or cuda:N (needs a CUDA "
                                       "libtorch; the attackers train on the CPU)")
      ->capture_default_str();
  cmd.parse_complete_callback([&a] {
    if (a.reverse_audio && a.model.empty())
      throw CLI::ValidationError("--reverse-audio", "needs --model (stores hold features, not audio)");
    if (!a.references.empty() && a.model.empty())
      throw CLI::ValidationError("--references", "needs --model (the references are scored on the same audio)");
    a.config.improved_utterance.train.seed = a.config.seed;
    a.config.improved_speaker.train.seed = a.config.seed + 1;
    a.config.metrics.seed = a.config.seed;
    a.command_line = command_line();
  });
}

}  // namespace speechleak::cli
