#include "speechleak/train/hubert_objective.h"

#include "speechleak/util/error.h"

namespace speechleak::train {

namespace nn = torch::nn;

HubertHeadImpl::HubertHeadImpl(int hidden, int classes, const ObjectiveConfig& config, int final_dim)
    : cosine_(config.head == "cosine"), temperature_(config.temperature) {
  config.validate();
  // fairseq initialises mask_emb uniformly in [0, 1) and label embeddings uniformly; the draws use torch's
  // generator, which the trainer seeds before building the modules.
  masked_spec_embed = register_parameter("masked_spec_embed", at::rand({hidden}));
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

at::Tensor masked_forward(encoder::Wav2Vec2Model& model, HubertHead& head, const at::Tensor& waveforms,
                          const at::Tensor& lengths, const at::Tensor& mask, double feature_grad_mult) {
  auto extracted = model->feature_extractor->forward(waveforms, lengths);
  auto features = extracted.features;  // [B, T', C]
  if (feature_grad_mult < 1.0) {
    // fairseq's GradMultiply: forward unchanged, gradient into the conv extractor scaled (0 = frozen).
    features = features * feature_grad_mult + features.detach() * (1.0 - feature_grad_mult);
  }
  auto x = model->feature_projection->forward(features);  // [B, T', D]
  if (mask.size(0) != x.size(0) || mask.size(1) != x.size(1))
    throw invalid_argument("mask", "[" + std::to_string(x.size(0)) + ", " + std::to_string(x.size(1)) + "]",
                           "[" + std::to_string(mask.size(0)) + ", " + std::to_string(mask.size(1)) + "]");
  x = at::where(mask.unsqueeze(-1), head->masked_spec_embed.view({1, 1, -1}).to(x.scalar_type()), x);
  auto padding = encoder::frame_padding_mask(extracted.frame_lengths, x.size(1), x);
  return model->encoder->forward(x, padding);
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

}  // namespace

ObjectiveOutput hubert_loss(HubertHead& head, const at::Tensor& hidden, const at::Tensor& targets,
                            const at::Tensor& mask, double unmasked_weight) {
  auto valid = targets >= 0;
  auto masked = mask & valid;
  ObjectiveOutput out;
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

}  // namespace speechleak::train
