#include "speechleak/train/wav2vec2_objective.h"

#include <torch/nn/init.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "speechleak/train/encoder_forward.h"
#include "speechleak/train/masking.h"
#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

namespace nn = torch::nn;

namespace {

void require_mask(const at::Tensor& mask, const std::vector<uint64_t>& seeds) {
  if (!mask.defined() || mask.dim() != 2 || mask.scalar_type() != at::kBool)
    throw invalid_argument("mask", "a [B, T] bool tensor", mask.defined() ? mask.toString() : "undefined");
  if (static_cast<int64_t>(seeds.size()) != mask.size(0))
    throw invalid_argument("seeds", "one per utterance (" + std::to_string(mask.size(0)) + ")",
                           std::to_string(seeds.size()));
}

// Masked frame counts per utterance.
std::vector<int64_t> masked_counts(const at::Tensor& mask) {
  auto c = mask.sum(1).to(at::kLong).contiguous().cpu();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

std::vector<uint64_t> utterance_seeds(const Batch& batch, uint64_t seed, const char* what, int epoch) {
  std::vector<uint64_t> seeds;
  for (const auto& id : batch.ids) seeds.push_back(derive_seed(seed, epoch_stream(what, epoch, id)));
  return seeds;
}

}  // namespace

at::Tensor sample_negatives(const at::Tensor& mask, int negatives, const std::vector<uint64_t>& seeds) {
  require_mask(mask, seeds);
  if (negatives < 1) throw invalid_argument("negatives", ">= 1", std::to_string(negatives));
  const auto counts = masked_counts(mask);
  int64_t total = 0;
  for (auto c : counts) total += c;
  auto out = at::full({total, negatives}, -1, at::kLong);
  auto* p = out.data_ptr<int64_t>();
  int64_t first = 0;  // row of the utterance's first masked frame
  for (size_t b = 0; b < counts.size(); ++b) {
    const int64_t m = counts[b];
    Rng rng(seeds[b]);
    for (int64_t i = 0; m > 1 && i < m; ++i)
      for (int k = 0; k < negatives; ++k) {
        auto j = static_cast<int64_t>(uniform_index(rng, static_cast<uint64_t>(m - 1)));
        p[(first + i) * negatives + k] = first + (j >= i ? j + 1 : j);  // skips frame i itself
      }
    first += m;
  }
  return out;
}

at::Tensor masked_uniform(const at::Tensor& mask, int64_t width, const std::vector<uint64_t>& seeds) {
  require_mask(mask, seeds);
  const auto counts = masked_counts(mask);
  int64_t total = 0;
  for (auto c : counts) total += c;
  auto out = at::empty({total, width}, at::kFloat);
  auto* p = out.data_ptr<float>();
  for (size_t b = 0; b < counts.size(); ++b) {
    Rng rng(seeds[b]);
    for (int64_t i = 0; i < counts[b] * width; ++i) *p++ = static_cast<float>(uniform01(rng));
  }
  return out;
}

at::Tensor contrastive_logits(const at::Tensor& context, const at::Tensor& targets, const at::Tensor& codes,
                              const at::Tensor& negatives, const std::vector<int64_t>& counts, double temperature) {
  const int64_t k = negatives.size(1);
  // Cosine similarity as dot products of unit vectors: one [m, m] matrix per utterance, from which the target
  // (its diagonal) and the distractors are gathered; nothing of size [frames, K, width] is materialised.
  auto unit = [](const at::Tensor& v) { return v / at::clamp_min(v.norm(2, -1, true), 1e-8); };
  const auto c = unit(context).to(at::kFloat), y = unit(targets).to(at::kFloat);
  std::vector<at::Tensor> parts;
  int64_t first = 0;
  for (const int64_t m : counts) {
    if (m > 1) {
      auto similarity = at::matmul(c.narrow(0, first, m), y.narrow(0, first, m).t()) / temperature;  // [m, m]
      auto local = negatives.narrow(0, first, m) - first;                                           // [m, K]
      // A distractor that quantised to the target's own codevectors is not a distractor (fairseq's neg_is_pos).
      auto own = codes.narrow(0, first, m);                                                         // [m, G]
      auto same = own.index_select(0, local.reshape({-1})).view({m, k, -1}).eq(own.unsqueeze(1)).all(-1);
      auto distractors = similarity.gather(1, local).masked_fill(same, -std::numeric_limits<float>::infinity());
      parts.push_back(at::cat({similarity.diagonal().unsqueeze(1), distractors}, 1));
    }
    first += m;
  }
  if (first != negatives.size(0))
    throw invalid_argument("counts", "masked frames summing to " + std::to_string(negatives.size(0)),
                           std::to_string(first));
  return parts.empty() ? at::zeros({0, k + 1}, c.options()) : at::cat(parts, 0);
}

Wav2Vec2Objective::Wav2Vec2Objective(const ContrastiveConfig& config, uint64_t seed)
    : config_(config), seed_(seed), decay_(config.quantizer.gumbel_decay) {}

void Wav2Vec2Objective::build(const encoder::Wav2Vec2Config& model) {
  config_.validate(model);
  model_ = model;
  const int codevector_dim = config_.resolved_codevector_dim(model), final_dim = config_.resolved_final_dim(model);
  quantizer = GumbelQuantizer(model.conv_out_channels(), config_.quantizer, codevector_dim);
  project_q = nn::Linear(codevector_dim, final_dim);
  project_hid = nn::Linear(model.hidden_size, final_dim);
  at::NoGradGuard no_grad;
  for (auto* l : {&project_q, &project_hid}) {  // as the encoder's linears (model_init.h) and HF's _init_weights
    nn::init::normal_((*l)->weight, 0.0, 0.02);
    nn::init::zeros_((*l)->bias);
  }
}

std::vector<NamedModule> Wav2Vec2Objective::heads() const {
  return {{"quantizer", quantizer.ptr()}, {"project_q", project_q.ptr()}, {"project_hid", project_hid.ptr()}};
}

void Wav2Vec2Objective::prepare(Batch& batch, int epoch) const {
  batch.mask = batch_time_mask(batch, epoch, seed_, config_.masking);
  batch.extras["negatives"] =
      sample_negatives(batch.mask, config_.loss.negatives, utterance_seeds(batch, seed_, "negatives", epoch));
  batch.extras["gumbel_uniform"] =
      masked_uniform(batch.mask, int64_t{config_.quantizer.groups} * config_.quantizer.entries,
                     utterance_seeds(batch, seed_, "gumbel", epoch));
}

void Wav2Vec2Objective::plan(int64_t total_steps) {
  const auto& q = config_.quantizer;
  const double anneal_steps = q.gumbel_anneal_fraction * static_cast<double>(total_steps);
  decay_ = anneal_steps >= 1 ? std::pow(q.gumbel_end / q.gumbel_start, 1.0 / anneal_steps) : q.gumbel_decay;
}

double Wav2Vec2Objective::gumbel_temperature() const {
  const auto& q = config_.quantizer;
  return std::max(q.gumbel_start * std::pow(decay_, static_cast<double>(step_)), q.gumbel_end);
}

ContrastiveLoss Wav2Vec2Objective::contrastive_loss(encoder::Wav2Vec2Model& model, const Batch& batch) {
  if (!quantizer) throw Error("wav2vec2 objective: contrastive_loss called before build");
  const auto& negatives = batch.extras.at("negatives");
  auto parts = masked_forward_parts(model, batch.waveforms, batch.lengths, batch.mask, config_.loss.feature_grad_mult);
  ContrastiveLoss out;
  // The feature penalty over valid frames only (padding's conv outputs are not the model's features).
  auto valid = at::arange(parts.features.size(1), batch.frame_lengths.options()).unsqueeze(0) <
               batch.frame_lengths.unsqueeze(1);
  auto penalty = parts.features.to(at::kFloat).pow(2).mean(-1).masked_select(valid).mean();
  out.feature_penalty = penalty.item<double>();

  auto rows = batch.mask.reshape({-1}).nonzero().squeeze(1);
  out.masked_frames = rows.numel();
  if (negatives.size(0) != out.masked_frames)
    throw invalid_argument("batch negatives", std::to_string(out.masked_frames) + " rows (one per masked frame)",
                           std::to_string(negatives.size(0)));
  auto hidden = parts.hidden.reshape({-1, parts.hidden.size(-1)}).index_select(0, rows);          // [N, D]
  auto normalized = parts.normalized.reshape({-1, parts.normalized.size(-1)}).index_select(0, rows);  // [N, C]
  auto q = quantizer->forward(normalized, batch.extras.at("gumbel_uniform"), gumbel_temperature());
  auto targets = project_q->forward(q.quantized);  // [N, F]
  auto context = project_hid->forward(hidden);     // [N, F]
  out.code_perplexity = q.code_perplexity;

  const int64_t groups_entries = int64_t{config_.quantizer.groups} * config_.quantizer.entries;
  auto diversity = (groups_entries - q.prob_perplexity) / static_cast<double>(groups_entries);
  out.diversity = diversity.item<double>();

  auto logits = contrastive_logits(context, targets, q.codes, negatives, masked_counts(batch.mask),
                                   config_.loss.temperature);
  at::Tensor contrastive = targets.sum() * 0.0 + context.sum() * 0.0;  // keeps the graph when no frame has one
  if (logits.size(0) > 0) {
    contrastive = at::cross_entropy_loss(logits, at::zeros({logits.size(0)}, negatives.options()));
    out.contrastive = contrastive.item<double>();
    out.accuracy = logits.argmax(-1).eq(0).to(at::kDouble).mean().item<double>();
  }
  out.loss = contrastive + config_.loss.diversity_weight * diversity + config_.loss.feature_penalty * penalty;
  return out;
}

ObjectiveLoss Wav2Vec2Objective::loss(encoder::Wav2Vec2Model& model, const Batch& batch) {
  auto l = contrastive_loss(model, batch);
  return {l.loss,
          {l.contrastive, l.diversity, l.feature_penalty, l.accuracy, l.code_perplexity, gumbel_temperature()},
          {l.masked_frames},
          // The contrastive term is a mean over masked frames; the diversity and feature terms are per batch, so
          // data-parallel ranks approximate them (as fairseq's do).
          static_cast<double>(l.masked_frames),
          {}};
}

std::vector<std::string> Wav2Vec2Objective::metric_columns() const {
  return {"contrastive_loss", "diversity_loss", "feature_penalty", "accuracy", "code_perplexity",
          "gumbel_temperature"};
}

std::vector<std::string> Wav2Vec2Objective::count_columns() const { return {"masked_frames"}; }

nlohmann::json Wav2Vec2Objective::metadata() const {
  auto o = config_.to_json();
  o["name"] = name();
  o["quantizer"]["codevector_dim"] = config_.resolved_codevector_dim(model_);
  o["quantizer"]["resolved_gumbel_decay"] = decay_;
  o["loss"]["final_dim"] = config_.resolved_final_dim(model_);
  return {{"objective", o}};
}

nlohmann::json Wav2Vec2Objective::hf_config() const {
  return {{"num_codevector_groups", config_.quantizer.groups},
          {"num_codevectors_per_group", config_.quantizer.entries},
          {"codevector_dim", config_.resolved_codevector_dim(model_)},
          {"proj_codevector_dim", config_.resolved_final_dim(model_)},
          {"num_negatives", config_.loss.negatives},
          {"contrastive_logits_temperature", config_.loss.temperature},
          {"diversity_loss_weight", config_.loss.diversity_weight},
          {"feat_quantizer_dropout", 0.0},
          {"mask_time_prob", config_.masking.prob * config_.masking.span},
          {"mask_time_length", config_.masking.span}};
}

}  // namespace speechleak::train
