#include "speechleak/train/hubert_objective.h"

#include <torch/nn/init.h>

#include "speechleak/train/encoder_forward.h"
#include "speechleak/train/masking.h"
#include "speechleak/util/error.h"

namespace speechleak::train {

namespace nn = torch::nn;

HubertHeadImpl::HubertHeadImpl(int hidden, int classes, const HubertHeadConfig& config, int final_dim)
    : cosine_(config.head == "cosine"), temperature_(config.temperature) {
  config.validate();
  // fairseq initialises label embeddings uniformly; the draws use torch's generator, which the trainer seeds
  // before building the modules.
  if (cosine_) {
    final_proj = register_module("final_proj", nn::Linear(hidden, final_dim));
    label_embs_concat = register_parameter("label_embs_concat", at::empty({classes, final_dim}).uniform_(-1, 1));
  } else {
    final_proj = register_module("final_proj", nn::Linear(hidden, classes));
  }
}

at::Tensor HubertHeadImpl::logits(const at::Tensor& h) {
  auto p = final_proj->forward(h);  // [N, F] or [N, K]
  if (!cosine_) return p;
  // Cosine similarity to every label embedding ([N, K]); eps as torch.cosine_similarity.
  auto pn = p / at::clamp_min(p.norm(2, -1, true), 1e-8);
  auto en = label_embs_concat / at::clamp_min(label_embs_concat.norm(2, -1, true), 1e-8);
  return at::matmul(pn, en.t()) / temperature_;
}

namespace {

// Mean CE and correct count over the selected frames; loss undefined when none are selected.
struct Part {
  at::Tensor loss;
  int64_t frames = 0, correct = 0;
};

Part cross_entropy_on(HubertHead& head, const at::Tensor& hidden, const at::Tensor& targets, const at::Tensor& select) {
  Part p;
  auto idx = select.reshape({-1}).nonzero().squeeze(1);
  p.frames = idx.numel();
  if (p.frames == 0) return p;
  auto h = hidden.reshape({-1, hidden.size(-1)}).index_select(0, idx);  // [N, D]
  auto y = targets.reshape({-1}).index_select(0, idx);                  // [N]
  auto logits = head->logits(h);                                        // [N, K]
  p.loss = at::cross_entropy_loss(logits, y);
  p.correct = (logits.argmax(-1) == y).sum().item<int64_t>();
  return p;
}

double ratio(int64_t a, int64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

}  // namespace

HubertLoss hubert_loss(HubertHead& head, const at::Tensor& hidden, const at::Tensor& targets, const at::Tensor& mask,
                       double unmasked_weight) {
  auto valid = targets >= 0;
  auto masked = mask & valid;
  HubertLoss out;
  auto m = cross_entropy_on(head, hidden, targets, masked);
  out.masked_frames = m.frames, out.masked_correct = m.correct;
  out.loss = m.loss.defined() ? m.loss : hidden.sum() * 0.0;  // keeps the graph when nothing is masked
  if (m.loss.defined()) out.masked_loss = m.loss.item<double>();
  // Unmasked accuracy is reported even at weight 0 (a cheap memorisation signal); its CE only joins the loss
  // with a positive weight.
  at::Tensor unmasked = (~mask) & valid;
  if (unmasked_weight > 0) {
    auto u = cross_entropy_on(head, hidden, targets, unmasked);
    out.unmasked_frames = u.frames, out.unmasked_correct = u.correct;
    if (u.loss.defined()) {
      out.unmasked_loss = u.loss.item<double>();
      out.loss = out.loss + unmasked_weight * u.loss;
    }
  } else {
    at::NoGradGuard no_grad;
    auto u = cross_entropy_on(head, hidden.detach(), targets, unmasked);
    out.unmasked_frames = u.frames, out.unmasked_correct = u.correct;
    if (u.loss.defined()) out.unmasked_loss = u.loss.item<double>();
  }
  return out;
}

HubertObjective::HubertObjective(const HubertConfig& config, uint64_t seed, int classes)
    : config_(config), seed_(seed), classes_(classes) {
  if (classes < 2) throw invalid_argument("classes", ">= 2 target classes", std::to_string(classes));
}

HubertObjective::HubertObjective(const HubertConfig& config, uint64_t seed, const TargetModel& t)
    : HubertObjective(config, seed, t.clusters()) {
  targets_ = {{"iteration", 1},
              {"features", "mfcc" + std::string(t.mfcc.deltas ? "+deltas" : "") + " (" +
                               std::to_string(t.mfcc.dims()) + " dims, standardised)"},
              {"classes", t.clusters()},
              {"scope", t.scope},
              {"clusters_per_group", t.per_group},
              {"kmeans_iterations", t.iterations},
              {"kmeans_inertia", t.inertia}};
}

void HubertObjective::build(const encoder::Wav2Vec2Config& model) {
  config_.validate(model);
  model_ = model;
  head_ = HubertHead(model.hidden_size, classes_, config_.head, config_.resolved_final_dim(model));
  at::NoGradGuard no_grad;
  nn::init::normal_(head_->final_proj->weight, 0.0, 0.02);  // as the encoder's linears (model_init.h)
  nn::init::zeros_(head_->final_proj->bias);
}

void HubertObjective::prepare(Batch& batch, int epoch) const {
  batch.mask = batch_time_mask(batch, epoch, seed_, config_.masking);
}

ObjectiveLoss HubertObjective::loss(encoder::Wav2Vec2Model& model, const Batch& batch) {
  auto hidden = masked_forward(model, batch.waveforms, batch.lengths, batch.mask, config_.head.feature_grad_mult);
  auto out = hubert_loss(head_, hidden, batch.targets, batch.mask, config_.head.unmasked_weight);
  return {out.loss,
          {out.masked_loss, ratio(out.masked_correct, out.masked_frames),
           ratio(out.unmasked_correct, out.unmasked_frames)},
          {out.masked_frames},
          static_cast<double>(out.masked_frames),
          {static_cast<double>(out.masked_frames), static_cast<double>(out.masked_frames),
           static_cast<double>(out.unmasked_frames)}};
}

std::vector<std::string> HubertObjective::metric_columns() const {
  return {"masked_loss", "masked_accuracy", "unmasked_accuracy"};
}

std::vector<std::string> HubertObjective::count_columns() const { return {"masked_frames"}; }

nlohmann::json HubertObjective::metadata() const {
  nlohmann::json j;
  j["objective"] = {{"name", name()},
                    {"head", config_.head.head},
                    {"temperature", config_.head.temperature},
                    {"final_dim", config_.resolved_final_dim(model_)},
                    {"unmasked_weight", config_.head.unmasked_weight},
                    {"masking", {{"prob", config_.masking.prob}, {"span", config_.masking.span}}}};
  if (!targets_.is_null()) j["targets"] = targets_;
  return j;
}

std::vector<std::pair<std::string, at::Tensor>> HubertObjective::head_tensors() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : head_->named_parameters(true)) out.emplace_back(p.key(), p.value());
  return out;
}

}  // namespace speechleak::train
