#pragma once
// Command-line options bound to a config struct's fields, resolved as defaults -> --preset -> the options
// actually typed: a preset fixes a recipe and any flag still overrides one field of it. Shared by the training
// commands (pretrain, finetune), which also share the training loop's options (add_loop_options).
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace speechleak::cli {

template <typename Config>
struct ConfigOptions {
  Config given;  // what the options parse into
  std::vector<std::function<void(Config&)>> overrides;

  template <typename T>
  void option(CLI::App* cmd, const std::string& name, const std::string& help, std::function<T&(Config&)> field) {
    static Config defaults;
    // The field the option parses into is fixed now; the one it is applied to is chosen when applying (a field
    // may depend on another option, e.g. the masking of the --objective chosen).
    T* parsed = &field(given);
    auto* o = cmd->add_option(name, *parsed, help);
    o->default_str(CLI::detail::to_string(field(defaults)));
    overrides.push_back([o, field, parsed](Config& c) {
      if (o->count() > 0) field(c) = *parsed;
    });
  }

  void flag(CLI::App* cmd, const std::string& name, const std::string& help, std::function<bool&(Config&)> field) {
    bool* parsed = &field(given);
    auto* o = cmd->add_flag(name, *parsed, help);
    overrides.push_back([o, field, parsed](Config& c) {
      if (o->count() > 0) field(c) = *parsed;
    });
  }

  // Applies the options the user typed onto `c` (defaults, or a preset applied to them).
  void apply(Config& c) const {
    for (const auto& o : overrides) o(c);
  }
};

// The training loop's options (train/training_config.h): epochs, seed, steps, batching, optimiser, checkpoints,
// threads, device, logging. Config derives from train::TrainingConfig.
template <typename Config>
void add_loop_options(CLI::App* cmd, ConfigOptions<Config>& o) {
  o.template option<int>(cmd, "--epochs", "Passes over the corpus", [](auto& c) -> auto& { return c.epochs; });
  o.template option<uint64_t>(cmd, "--seed", "Seed of every random step", [](auto& c) -> auto& { return c.seed; });
  o.template option<int>(cmd, "--max-steps", "Stop after this many steps in all (0 = run every epoch)",
                         [](auto& c) -> auto& { return c.max_steps; });
  o.template option<int>(cmd, "--batch-size", "Utterances per step", [](auto& c) -> auto& { return c.data.batch_size; });
  o.template option<double>(cmd, "--min-seconds", "Shorter utterances are skipped",
                            [](auto& c) -> auto& { return c.data.min_seconds; });
  o.template option<double>(cmd, "--lr", "Peak learning rate (Adam)", [](auto& c) -> auto& { return c.optim.lr; });
  o.template option<double>(cmd, "--weight-decay", "Decoupled weight decay (AdamW; matrices only; 0 = Adam)",
                            [](auto& c) -> auto& { return c.optim.weight_decay; });
  o.template option<double>(cmd, "--warmup", "Warm-up share of all steps",
                            [](auto& c) -> auto& { return c.optim.warmup_fraction; });
  o.template option<std::string>(cmd, "--lr-decay", "linear, cosine, constant or tri-stage",
                                 [](auto& c) -> auto& { return c.optim.decay; });
  o.template option<double>(cmd, "--hold", "tri-stage: share of all steps held at the peak learning rate",
                            [](auto& c) -> auto& { return c.optim.hold_fraction; });
  o.template option<double>(cmd, "--clip-norm", "Max global gradient norm (<= 0: no clipping)",
                            [](auto& c) -> auto& { return c.optim.clip_norm; });
  o.template option<int>(cmd, "--checkpoint-every", "Steps between checkpoints (0 = each epoch)",
                         [](auto& c) -> auto& { return c.checkpoint_every; });
  o.template option<int>(cmd, "--keep-checkpoints", "Checkpoints kept", [](auto& c) -> auto& { return c.keep_checkpoints; });
  o.template option<int>(cmd, "--blas-threads", "OpenBLAS threads while training (0 = leave; 1 is fastest on few cores)",
                         [](auto& c) -> auto& { return c.blas_threads; });
  o.template option<std::string>(cmd, "--device", "cpu, cuda or cuda:N", [](auto& c) -> auto& { return c.device; });
  o.template option<int>(cmd, "--log-every", "Steps between train_log.csv rows", [](auto& c) -> auto& { return c.log_every; });
}

}  // namespace speechleak::cli
