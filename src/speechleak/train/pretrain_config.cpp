#include "speechleak/train/pretrain_config.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "speechleak/util/error.h"

namespace speechleak::train {

// JSON (de)serialisation: missing fields take the defaults, so older configs stay readable.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MfccConfig, sample_rate, n_fft, hop, n_mels, n_mfcc, f_min, f_max,
                                                deltas, delta_window)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KMeansConfig, clusters, scope, max_iterations, tolerance, max_frames)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MaskingConfig, prob, span, min_spans)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObjectiveConfig, head, final_dim, temperature, unmasked_weight,
                                                feature_grad_mult)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OptimConfig, lr, weight_decay, beta1, beta2, eps, warmup_fraction,
                                                decay, min_lr_ratio, clip_norm)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DataConfig, batch_size, max_seconds, min_seconds, normalization)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DefenseConfig, reverse_audio, noise_augment, noise_prob, snr_min_db,
                                                snr_max_db, noise_type, silence_names, sanitize_names, names)

namespace {

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void require_positive(const std::string& name, double v) {
  if (!(v > 0)) throw invalid_argument(name, "> 0", num(v));
}

void require_range(const std::string& name, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi)) throw invalid_argument(name, "in [" + num(lo) + ", " + num(hi) + "]", num(v));
}

void require_one_of(const std::string& name, const std::string& v, std::initializer_list<const char*> options) {
  std::string list;
  for (const char* o : options) {
    if (v == o) return;
    list += (list.empty() ? "" : ", ") + std::string(o);
  }
  throw invalid_argument(name, "one of " + list, "'" + v + "'");
}

}  // namespace

void MfccConfig::validate() const {
  require_positive("mfcc.sample_rate", sample_rate);
  require_positive("mfcc.hop", hop);
  if (n_fft < hop) throw invalid_argument("mfcc.n_fft", ">= hop (" + std::to_string(hop) + ")", std::to_string(n_fft));
  require_positive("mfcc.n_mels", n_mels);
  if (n_mfcc < 1 || n_mfcc > n_mels)
    throw invalid_argument("mfcc.n_mfcc", "in [1, n_mels=" + std::to_string(n_mels) + "]", std::to_string(n_mfcc));
  if (!(f_min >= 0 && f_max > f_min && f_max <= sample_rate / 2.0))
    throw invalid_argument("mfcc.f_min/f_max", "0 <= f_min < f_max <= sample_rate/2",
                           num(f_min) + "/" + num(f_max));
  if (delta_window < 3 || delta_window % 2 == 0)
    throw invalid_argument("mfcc.delta_window", "an odd number >= 3", std::to_string(delta_window));
}

void KMeansConfig::validate() const {
  if (clusters < 2) throw invalid_argument("--clusters", ">= 2", std::to_string(clusters));
  require_one_of("--target-scope", scope, {"global", "speaker", "utterance"});
  require_positive("kmeans.max_iterations", max_iterations);
  if (!(tolerance >= 0)) throw invalid_argument("kmeans.tolerance", ">= 0", num(tolerance));
  if (max_frames < clusters)
    throw invalid_argument("kmeans.max_frames", ">= clusters (" + std::to_string(clusters) + ")",
                           std::to_string(max_frames));
}

void MaskingConfig::validate() const {
  require_range("--mask-prob", prob, 0.0, 1.0);
  if (span < 1) throw invalid_argument("--mask-span", ">= 1", std::to_string(span));
  if (min_spans < 0) throw invalid_argument("masking.min_spans", ">= 0", std::to_string(min_spans));
}

void ObjectiveConfig::validate() const {
  require_one_of("--head", head, {"cosine", "linear"});
  if (final_dim < 0) throw invalid_argument("objective.final_dim", ">= 0 (0 = automatic)", std::to_string(final_dim));
  require_positive("objective.temperature", temperature);
  require_range("--unmasked-weight", unmasked_weight, 0.0, 1e6);
  require_range("objective.feature_grad_mult", feature_grad_mult, 0.0, 1.0);
}

void OptimConfig::validate() const {
  require_positive("--lr", lr);
  require_range("--weight-decay", weight_decay, 0.0, 1.0);
  require_range("optim.beta1", beta1, 0.0, 0.999999);
  require_range("optim.beta2", beta2, 0.0, 0.999999);
  require_positive("optim.eps", eps);
  require_range("--warmup", warmup_fraction, 0.0, 1.0);
  require_one_of("--lr-decay", decay, {"linear", "cosine", "constant"});
  require_range("optim.min_lr_ratio", min_lr_ratio, 0.0, 1.0);
  if (!std::isfinite(clip_norm)) throw invalid_argument("--clip-norm", "a finite number", num(clip_norm));
}

void DataConfig::validate() const {
  if (batch_size < 1) throw invalid_argument("--batch-size", ">= 1", std::to_string(batch_size));
  require_positive("--max-seconds", max_seconds);
  if (!(min_seconds >= 0.025 && min_seconds <= max_seconds))
    throw invalid_argument("--min-seconds", "in [0.025, --max-seconds=" + num(max_seconds) + "]", num(min_seconds));
  require_one_of("--normalization", normalization, {"zero-mean-unit-var", "none"});
}

void DefenseConfig::validate() const {
  require_range("--noise-prob", noise_prob, 0.0, 1.0);
  if (!(snr_min_db <= snr_max_db) || !std::isfinite(snr_min_db) || !std::isfinite(snr_max_db))
    throw invalid_argument("--noise-snr", "MIN:MAX with MIN <= MAX (dB)", num(snr_min_db) + ":" + num(snr_max_db));
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

int PretrainConfig::resolved_final_dim() const {
  if (head.final_dim > 0) return head.final_dim;
  return std::max(16, model.hidden_size / 3);  // HuBERT base: 768 -> 256
}

void PretrainConfig::validate() const {
  if (corpus.empty()) throw invalid_argument("--corpus", "a corpus spec", "nothing");
  require_one_of("--objective", objective, {"hubert"});
  if (epochs < 1) throw invalid_argument("--epochs", ">= 1", std::to_string(epochs));
  if (checkpoint_every < 0) throw invalid_argument("--checkpoint-every", ">= 0", std::to_string(checkpoint_every));
  if (keep_checkpoints < 1) throw invalid_argument("--keep-checkpoints", ">= 1", std::to_string(keep_checkpoints));
  if (log_every < 1) throw invalid_argument("--log-every", ">= 1", std::to_string(log_every));
  if (max_steps < 0) throw invalid_argument("--max-steps", ">= 0", std::to_string(max_steps));
  if (blas_threads < 0) throw invalid_argument("--blas-threads", ">= 0", std::to_string(blas_threads));
  model.validate();
  if (model.samples_per_frame() != mfcc.hop)
    throw invalid_argument("mfcc.hop", "the model's samples per frame (" + std::to_string(model.samples_per_frame()) +
                                           ") so that targets align with frames",
                           std::to_string(mfcc.hop));
  mfcc.validate();
  kmeans.validate();
  masking.validate();
  head.validate();
  optim.validate();
  data.validate();
  defenses.validate();
}

nlohmann::json PretrainConfig::to_json() const {
  return {{"corpus", corpus},       {"arch", arch},
          {"model", model.to_json()}, {"objective", objective},
          {"epochs", epochs},       {"seed", seed},
          {"checkpoint_every", checkpoint_every}, {"keep_checkpoints", keep_checkpoints},
          {"log_every", log_every}, {"max_steps", max_steps},
          {"blas_threads", blas_threads}, {"device", device},
          {"mfcc", mfcc},           {"kmeans", kmeans},
          {"masking", masking},     {"head", head},
          {"optim", optim},         {"data", data},
          {"defenses", defenses}};
}

PretrainConfig PretrainConfig::from_json(const nlohmann::json& j, const std::string& source) {
  PretrainConfig c;
  try {
    c.corpus = j.value("corpus", c.corpus);
    c.arch = j.value("arch", c.arch);
    if (j.contains("model")) c.model = encoder::Wav2Vec2Config::from_json(j.at("model"), source);
    c.objective = j.value("objective", c.objective);
    c.epochs = j.value("epochs", c.epochs);
    c.seed = j.value("seed", c.seed);
    c.checkpoint_every = j.value("checkpoint_every", c.checkpoint_every);
    c.keep_checkpoints = j.value("keep_checkpoints", c.keep_checkpoints);
    c.log_every = j.value("log_every", c.log_every);
    c.max_steps = j.value("max_steps", c.max_steps);
    c.blas_threads = j.value("blas_threads", c.blas_threads);
    c.device = j.value("device", c.device);
    c.mfcc = j.value("mfcc", c.mfcc);
    c.kmeans = j.value("kmeans", c.kmeans);
    c.masking = j.value("masking", c.masking);
    c.head = j.value("head", c.head);
    c.optim = j.value("optim", c.optim);
    c.data = j.value("data", c.data);
    c.defenses = j.value("defenses", c.defenses);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source, std::string("pretraining config: ") + e.what());
  }
  return c;
}

std::string PretrainConfig::to_string() const { return to_json().dump(); }

}  // namespace speechleak::train
