#include "speechleak/train/hubert_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"
#include "speechleak/util/number_format.h"

namespace speechleak::train {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MfccConfig, sample_rate, n_fft, hop, n_mels, n_mfcc, f_min, f_max,
                                                deltas, delta_window)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KMeansConfig, clusters, scope, max_iterations, tolerance, max_frames)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HubertHeadConfig, head, final_dim, temperature, unmasked_weight,
                                                feature_grad_mult)

void MfccConfig::validate() const {
  require_positive("mfcc.sample_rate", sample_rate);
  require_positive("mfcc.hop", hop);
  if (n_fft < hop) throw invalid_argument("mfcc.n_fft", ">= hop (" + std::to_string(hop) + ")", std::to_string(n_fft));
  require_positive("mfcc.n_mels", n_mels);
  if (n_mfcc < 1 || n_mfcc > n_mels)
    throw invalid_argument("mfcc.n_mfcc", "in [1, n_mels=" + std::to_string(n_mels) + "]", std::to_string(n_mfcc));
  if (!(f_min >= 0 && f_max > f_min && f_max <= sample_rate / 2.0))
    throw invalid_argument("mfcc.f_min/f_max", "0 <= f_min < f_max <= sample_rate/2",
                           text::general(f_min) + "/" + text::general(f_max));
  if (delta_window < 3 || delta_window % 2 == 0)
    throw invalid_argument("mfcc.delta_window", "an odd number >= 3", std::to_string(delta_window));
}

void KMeansConfig::validate() const {
  require_at_least("--clusters", clusters, 2);
  require_one_of("--target-scope", scope, {"global", "speaker", "utterance"});
  require_positive("kmeans.max_iterations", max_iterations);
  if (!(tolerance >= 0)) throw invalid_argument("kmeans.tolerance", ">= 0", text::general(tolerance));
  if (max_frames < clusters)
    throw invalid_argument("kmeans.max_frames", ">= clusters (" + std::to_string(clusters) + ")",
                           std::to_string(max_frames));
}

void HubertHeadConfig::validate() const {
  require_one_of("--head", head, {"cosine", "linear"});
  if (final_dim < 0) throw invalid_argument("objective.final_dim", ">= 0 (0 = automatic)", std::to_string(final_dim));
  require_positive("objective.temperature", temperature);
  require_range("--unmasked-weight", unmasked_weight, 0.0, 1e6);
  require_range("objective.feature_grad_mult", feature_grad_mult, 0.0, 1.0);
}

void HubertConfig::validate(const encoder::Wav2Vec2Config& model) const {
  if (model.samples_per_frame() != mfcc.hop)
    throw invalid_argument("mfcc.hop", "the model's samples per frame (" + std::to_string(model.samples_per_frame()) +
                                           ") so that targets align with frames",
                           std::to_string(mfcc.hop));
  mfcc.validate();
  kmeans.validate();
  masking.validate();
  head.validate();
}

int HubertConfig::resolved_final_dim(const encoder::Wav2Vec2Config& model) const {
  if (head.final_dim > 0) return head.final_dim;
  return std::max(16, model.hidden_size / 3);  // HuBERT base: 768 -> 256
}

nlohmann::json HubertConfig::to_json() const {
  return {{"mfcc", mfcc}, {"kmeans", kmeans}, {"masking", masking}, {"head", head}};
}

HubertConfig HubertConfig::from_json(const nlohmann::json& j) {
  HubertConfig c;
  c.mfcc = j.value("mfcc", c.mfcc);
  c.kmeans = j.value("kmeans", c.kmeans);
  c.masking = j.value("masking", c.masking);
  c.head = j.value("head", c.head);
  return c;
}

}  // namespace speechleak::train
