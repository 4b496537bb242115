#include "speechleak/train/training_config.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::train {

// JSON (de)serialisation: missing fields take the defaults, so older configs stay readable.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OptimConfig, lr, weight_decay, beta1, beta2, eps, warmup_fraction,
                                                decay, min_lr_ratio, hold_fraction, init_lr_scale, final_lr_scale,
                                                clip_norm)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DataConfig, batch_size, max_seconds, min_seconds, normalization)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DefenseConfig, reverse_audio, noise_augment, noise_prob, snr_min_db,
                                                snr_max_db, noise_type, silence_names, sanitize_names, names)

void OptimConfig::validate() const {
  require_positive("--lr", lr);
  require_range("--weight-decay", weight_decay, 0.0, 1.0);
  require_range("optim.beta1", beta1, 0.0, 0.999999);
  require_range("optim.beta2", beta2, 0.0, 0.999999);
  require_positive("optim.eps", eps);
  require_range("--warmup", warmup_fraction, 0.0, 1.0);
  require_one_of("--lr-decay", decay, {"linear", "cosine", "constant", "tri-stage"});
  require_range("optim.min_lr_ratio", min_lr_ratio, 0.0, 1.0);
  require_range("optim.hold_fraction", hold_fraction, 0.0, 1.0);
  if (decay == "tri-stage" && warmup_fraction + hold_fraction > 1.0)
    throw invalid_argument("--warmup + optim.hold_fraction", "at most 1 (the rest of the steps decay)",
                           text::general(warmup_fraction + hold_fraction));
  if (!(init_lr_scale > 0 && init_lr_scale <= 1))
    throw invalid_argument("optim.init_lr_scale", "in (0, 1]", text::general(init_lr_scale));
  if (!(final_lr_scale > 0 && final_lr_scale <= 1))
    throw invalid_argument("optim.final_lr_scale", "in (0, 1]", text::general(final_lr_scale));
  if (!std::isfinite(clip_norm)) throw invalid_argument("--clip-norm", "a finite number", text::general(clip_norm));
}

void DataConfig::validate() const {
  require_at_least("--batch-size", batch_size, 1);
  require_positive("--max-seconds", max_seconds);
  if (!(min_seconds >= 0.025 && min_seconds <= max_seconds))
    throw invalid_argument("--min-seconds", "in [0.025, --max-seconds=" + text::general(max_seconds) + "]",
                           text::general(min_seconds));
  require_one_of("--normalization", normalization, {"zero-mean-unit-var", "none"});
}

void DefenseConfig::validate() const {
  require_range("--noise-prob", noise_prob, 0.0, 1.0);
  if (!(snr_min_db <= snr_max_db) || !std::isfinite(snr_min_db) || !std::isfinite(snr_max_db))
    throw invalid_argument("--noise-snr", "MIN:MAX with MIN <= MAX (dB)",
                           text::general(snr_min_db) + ":" + text::general(snr_max_db));
  require_one_of("--noise-type", noise_type, {"white", "speech-shaped"});
}

std::vector<std::string> DefenseConfig::active() const {
  std::vector<std::string> out;
  if (reverse_audio) out.push_back("reverse-audio");
  if (noise_augment) out.push_back("noise-augment");
  if (silence_names) out.push_back("silence-names");
  if (sanitize_names) out.push_back("sanitize-names");
  return out;
}

nlohmann::json DefenseConfig::to_json() const { return *this; }

DefenseConfig DefenseConfig::from_json(const nlohmann::json& j) { return j.get<DefenseConfig>(); }

void TrainingConfig::validate() const {
  if (corpus.empty()) throw invalid_argument("--corpus", "a corpus spec", "nothing");
  require_at_least("--epochs", epochs, 1);
  require_at_least("--checkpoint-every", checkpoint_every, 0);
  require_at_least("--keep-checkpoints", keep_checkpoints, 1);
  require_at_least("--log-every", log_every, 1);
  require_at_least("--max-steps", max_steps, 0);
  require_at_least("--blas-threads", blas_threads, 0);
  model.validate();
  optim.validate();
  data.validate();
  defenses.validate();
}

nlohmann::json TrainingConfig::loop_json() const {
  return {{"epochs", epochs},
          {"seed", seed},
          {"checkpoint_every", checkpoint_every},
          {"keep_checkpoints", keep_checkpoints},
          {"log_every", log_every},
          {"max_steps", max_steps},
          {"blas_threads", blas_threads},
          {"device", device},
          {"optim", optim},
          {"data", data}};
}

void TrainingConfig::read_loop_json(const nlohmann::json& j) {
  epochs = j.value("epochs", epochs);
  seed = j.value("seed", seed);
  checkpoint_every = j.value("checkpoint_every", checkpoint_every);
  keep_checkpoints = j.value("keep_checkpoints", keep_checkpoints);
  log_every = j.value("log_every", log_every);
  max_steps = j.value("max_steps", max_steps);
  blas_threads = j.value("blas_threads", blas_threads);
  device = j.value("device", device);
  optim = j.value("optim", optim);
  data = j.value("data", data);
}

const std::vector<std::string>& resume_free_loop_keys() {
  static const std::vector<std::string> keys = {"max_steps", "checkpoint_every", "keep_checkpoints",
                                                "log_every", "blas_threads",     "device"};
  return keys;
}

}  // namespace speechleak::train
