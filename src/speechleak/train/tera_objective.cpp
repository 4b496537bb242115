#include "speechleak/train/tera_objective.h"

#include <torch/nn/init.h>

#include <cmath>

#include "speechleak/encoder/module_util.h"
#include "speechleak/encoder/safetensors.h"
#include "speechleak/train/masking.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

namespace nn = torch::nn;

SpecHeadImpl::SpecHeadImpl(const encoder::Wav2Vec2Config& model) : activation_(model.hidden_act) {
  const int d = model.hidden_size;
  dense = register_module("dense", nn::Linear(d, d));
  layer_norm = register_module("LayerNorm", nn::LayerNorm(nn::LayerNormOptions({d}).eps(model.layer_norm_eps)));
  output = register_module("output", nn::Linear(d, model.mel.n_mels));
}

at::Tensor SpecHeadImpl::forward(const at::Tensor& hidden) {
  return output->forward(layer_norm->forward(encoder::activate(dense->forward(hidden), activation_)));
}

at::Tensor alter_features(const at::Tensor& clean, const at::Tensor& frame_lengths, const TeraAlteration& a) {
  const int64_t b = clean.size(0), t = clean.size(1), f = clean.size(2);
  for (const auto* x : {&a.source, &a.zeroed})
    if (x->size(0) != b || x->size(1) != t)
      throw invalid_argument("TERA alteration", encoder::shape_to_string({b, t}),
                             encoder::shape_to_string(x->sizes().vec()));
  auto x = clean.gather(1, a.source.unsqueeze(-1).expand({b, t, f}));
  x = x.masked_fill(a.zeroed.unsqueeze(-1), 0.0).masked_fill(a.bands.unsqueeze(1), 0.0) + a.noise;
  auto padded = encoder::frame_padding_mask(frame_lengths, t, clean);
  return x.masked_fill(padded.unsqueeze(-1), 0.0);
}

namespace {

// Each run of masked frames in [0, n) reads a run of the same length from a random place of the same utterance.
template <typename MaskRow, typename SourceRow>
void read_spans_elsewhere(const MaskRow& mask, int64_t n, Rng& rng, SourceRow source) {
  for (int64_t s = 0; s < n;) {
    if (!mask[s]) {
      ++s;
      continue;
    }
    int64_t e = s;
    while (e < n && mask[e]) ++e;
    const auto from = static_cast<int64_t>(uniform_index(rng, static_cast<uint64_t>(n - (e - s) + 1)));
    for (int64_t k = s; k < e; ++k) source[k] = from + (k - s);
    s = e;
  }
}

}  // namespace

TeraObjective::TeraObjective(const TeraConfig& config, uint64_t seed) : config_(config), seed_(seed) {}

void TeraObjective::build(const encoder::Wav2Vec2Config& model) {
  config_.validate(model);
  model_ = model;
  head = SpecHead(model);
  at::NoGradGuard no_grad;
  for (auto* lin : {&head->dense, &head->output}) {  // s3prl's init_Transformer_weights, as the encoder's
    nn::init::normal_((*lin)->weight, 0.0, 0.02);
    nn::init::zeros_((*lin)->bias);
  }
}

std::vector<NamedModule> TeraObjective::heads() const { return {{"SpecHead", head.ptr()}}; }

void TeraObjective::prepare(Batch& batch, int epoch) const {
  batch.mask = batch_time_mask(batch, epoch, seed_, config_.time);  // [B, T]
  const int64_t b = batch.mask.size(0), t = batch.mask.size(1), f = model_.mel.n_mels;
  auto source = at::arange(t, at::TensorOptions().dtype(at::kLong)).unsqueeze(0).repeat({b, 1});
  auto zeroed = at::zeros({b, t}, at::TensorOptions().dtype(at::kBool));
  auto bands = at::zeros({b, f}, at::TensorOptions().dtype(at::kBool));
  auto noise = at::zeros({b, t, f}, at::TensorOptions().dtype(at::kFloat));
  const auto mask = batch.mask.accessor<bool, 2>();
  auto src = source.accessor<int64_t, 2>();
  for (int64_t i = 0; i < b; ++i) {
    const int64_t n = std::min(t, batch.frame_lengths[i].item<int64_t>());
    Rng rng(derive_seed(seed_, epoch_stream("tera", epoch, batch.ids[i])));
    const double dice = uniform01(rng);
    if (dice < config_.zero_fraction) {
      zeroed[i].copy_(batch.mask[i]);
    } else if (dice < config_.zero_fraction + config_.replace_fraction) {
      read_spans_elsewhere(mask[i], n, rng, src[i]);
    }
    if (config_.frequency_max > 0) {
      const auto widest = static_cast<uint64_t>(std::floor(config_.frequency_max * static_cast<double>(f)));
      const auto width = static_cast<int64_t>(uniform_index(rng, widest + 1));
      const auto start = static_cast<int64_t>(uniform_index(rng, static_cast<uint64_t>(f - width + 1)));
      bands[i].narrow(0, start, width).fill_(true);
    }
    if (config_.noise_std > 0 && uniform01(rng) < config_.noise_probability) {
      auto values = noise[i].narrow(0, 0, n);
      float* p = values.data_ptr<float>();
      for (int64_t k = 0; k < n * f; ++k) p[k] = static_cast<float>(config_.noise_std * standard_normal(rng));
    }
  }
  batch.extras["tera_source"] = source;
  batch.extras["tera_zeroed"] = zeroed;
  batch.extras["tera_bands"] = bands;
  batch.extras["tera_noise"] = noise;
}

TeraAlteration TeraObjective::alteration(const Batch& batch) {
  TeraAlteration a;
  for (auto [name, t] : {std::pair<const char*, at::Tensor*>{"tera_source", &a.source},
                         {"tera_zeroed", &a.zeroed}, {"tera_bands", &a.bands}, {"tera_noise", &a.noise}}) {
    auto it = batch.extras.find(name);
    if (it == batch.extras.end())
      throw invalid_argument("batch", "a batch prepared by the TERA objective", std::string("no '") + name + "'");
    *t = it->second;
  }
  return a;
}

ObjectiveLoss TeraObjective::loss(encoder::Wav2Vec2Model& model, const Batch& batch) {
  encoder::ExtractedFeatures clean;
  {
    at::NoGradGuard no_grad;  // the front end has no parameters
    clean = model->extract(batch.waveforms, batch.lengths);
  }
  const auto a = alteration(batch);
  const auto& y = clean.features;  // [B, T, n_mels]
  auto input = alter_features(y, clean.frame_lengths, a);
  std::vector<bool> keep(model_.num_hidden_layers + 1, false);
  keep.back() = true;
  auto hidden = model->states_from_features({input, clean.frame_lengths}, /*padded=*/true, keep).states.back();
  auto prediction = head->forward(hidden);  // [B, T, n_mels]

  auto valid = ~encoder::frame_padding_mask(clean.frame_lengths, y.size(1), y);  // [B, T]
  auto altered_frames = batch.mask & valid;
  auto label = (altered_frames.unsqueeze(-1) | a.bands.unsqueeze(1)) & valid.unsqueeze(-1);  // [B, T, n_mels]
  auto diff = prediction.masked_select(label) - y.masked_select(label);
  const int64_t values = diff.numel();
  at::Tensor loss = values == 0             ? prediction.sum() * 0.0  // keeps the graph when nothing is altered
                    : config_.loss == "l1" ? diff.abs().mean()
                                           : diff.pow(2).mean();
  double unaltered = 0;
  int64_t unaltered_values = 0;
  {
    at::NoGradGuard no_grad;  // how well the clean frames are passed through (logged, not trained on)
    auto keep_mask = (~label) & valid.unsqueeze(-1);
    unaltered_values = keep_mask.sum().item<int64_t>();
    if (unaltered_values > 0)
      unaltered = (prediction.masked_select(keep_mask) - y.masked_select(keep_mask)).abs().mean().item<double>();
  }
  return {loss,
          {values ? loss.item<double>() : 0.0, unaltered},
          {altered_frames.sum().item<int64_t>(), values},
          static_cast<double>(values),
          {static_cast<double>(values), static_cast<double>(unaltered_values)}};
}

std::vector<std::string> TeraObjective::metric_columns() const { return {"reconstruction_loss", "unaltered_l1"}; }

std::vector<std::string> TeraObjective::count_columns() const { return {"altered_frames", "altered_values"}; }

nlohmann::json TeraObjective::metadata() const {
  nlohmann::json o = config_.to_json();
  o["name"] = name();
  o["head"] = "SpecHead (dense, " + encoder::to_string(model_.hidden_act) + ", LayerNorm, output to " +
              std::to_string(model_.mel.n_mels) + " mel bands)";
  return {{"objective", o}};
}

}  // namespace speechleak::train
