#include "speechleak/asr/ctc_objective.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include "speechleak/train/encoder_forward.h"
#include "speechleak/train/masking.h"
#include "speechleak/util/checks.h"
#include "speechleak/util/error.h"

namespace speechleak::asr {

CtcObjective::CtcObjective(const CtcConfig& config, Vocabulary vocabulary, uint64_t seed)
    : config_(config), vocabulary_(std::move(vocabulary)), seed_(seed) {
  config_.validate();
}

void CtcObjective::build(const encoder::Wav2Vec2Config& model) {
  model_ = model;
  dropout_ = torch::nn::Dropout(config_.final_dropout);
  lm_head_ = torch::nn::Linear(model.hidden_size, vocabulary_.size());
  at::NoGradGuard no_grad;
  torch::nn::init::normal_(lm_head_->weight, 0.0, 0.02);  // HF _init_weights (initializer_range)
  torch::nn::init::zeros_(lm_head_->bias);
}

void CtcObjective::prepare(train::Batch& batch, int epoch) const {
  // Span starts per position: prob = share / length (fairseq and HF).
  if (config_.mask_time_prob > 0) {
    train::MaskingConfig m;
    m.prob = config_.mask_time_prob / config_.mask_time_length;
    m.span = config_.mask_time_length;
    m.min_spans = config_.mask_time_min_spans;
    batch.mask = train::batch_time_mask(batch, epoch, seed_, m);
  }
  if (config_.mask_channel_prob > 0) {
    train::MaskingConfig m;
    m.prob = config_.mask_channel_prob / config_.mask_channel_length;
    m.span = config_.mask_channel_length;
    m.min_spans = 0;  // HF mask_feature_min_masks
    batch.channel_mask = train::batch_channel_mask(batch, epoch, seed_, m, model_.hidden_size);
  }
}

void CtcObjective::before_step(int64_t step, encoder::Wav2Vec2Model& model) {
  frozen_ = step < config_.freeze_steps;
  for (auto& p : model->parameters()) p.set_requires_grad(!frozen_);
  if (model->feature_extractor)
    for (auto& p : model->feature_extractor->parameters()) p.set_requires_grad(false);  // always frozen
}

train::ObjectiveLoss CtcObjective::loss(encoder::Wav2Vec2Model& model, const train::Batch& b) {
  at::Tensor hidden;
  {
    std::optional<at::NoGradGuard> no_grad;
    if (frozen_) no_grad.emplace();
    hidden = train::masked_forward(model, b.waveforms, b.lengths, b.mask, 0.0, b.channel_mask);
  }
  auto logits = lm_head_->forward(dropout_->forward(hidden));             // [B, T, V]
  auto log_probs = at::log_softmax(logits.to(at::kFloat), -1).transpose(0, 1);  // [T, B, V]
  auto frames = b.frame_lengths.to(at::kLong).cpu(), labels = b.target_lengths.to(at::kLong).cpu();
  std::vector<int64_t> in(frames.data_ptr<int64_t>(), frames.data_ptr<int64_t>() + frames.numel());
  std::vector<int64_t> out(labels.data_ptr<int64_t>(), labels.data_ptr<int64_t>() + labels.numel());
  auto targets = b.targets.clamp_min(0);  // padding is never read past target_lengths
  auto loss = at::ctc_loss(log_probs, targets, in, out, vocabulary_.blank(), at::Reduction::Mean,
                           /*zero_infinity=*/true);
  // Infeasible: fewer frames than labels plus the blanks their repeats need.
  int64_t infeasible = 0, total = 0;
  auto t = b.targets.to(at::kLong).contiguous().cpu();
  const int64_t width = t.size(1);
  const int64_t* rows = t.data_ptr<int64_t>();
  for (size_t k = 0; k < in.size(); ++k) {
    const int64_t* row = rows + static_cast<int64_t>(k) * width;
    int64_t need = out[k];
    for (int64_t j = 1; j < out[k]; ++j) need += row[j] == row[j - 1];
    infeasible += in[k] < need;
    total += out[k];
  }
  return {loss, {}, {total, infeasible}, static_cast<double>(in.size()), {}};  // a mean over utterances
}

nlohmann::json CtcObjective::metadata() const {
  return {{"objective",
           {{"name", name()},
            {"vocab_size", vocabulary_.size()},
            {"blank", vocabulary_.pad_token()},
            {"mask_time_prob", config_.mask_time_prob},
            {"mask_time_length", config_.mask_time_length},
            {"mask_channel_prob", config_.mask_channel_prob},
            {"mask_channel_length", config_.mask_channel_length},
            {"freeze_steps", config_.freeze_steps},
            {"final_dropout", config_.final_dropout},
            {"loss", "ctc, mean over utterances of loss / labels, zero_infinity"}}}};
}

LabelReport attach_transcript_labels(train::TrainingSet& set, const Vocabulary& vocabulary, OovPolicy oov) {
  LabelReport r;
  std::vector<train::TrainUtterance> kept;
  for (auto& u : set.utterances) {
    if (!u.transcript) {
      r.skipped.add(u.id, "", "no transcript");
      continue;
    }
    auto e = vocabulary.encode(*u.transcript, oov);
    r.unknown_characters += e.unknown_characters;
    if (e.ids.empty()) {
      r.skipped.add(u.id, "", "empty transcript (nothing to label)");
      continue;
    }
    u.labels = at::tensor(e.ids, at::kLong);
    kept.push_back(std::move(u));
  }
  set.utterances = std::move(kept);
  r.labelled = set.utterances.size();
  return r;
}

}  // namespace speechleak::asr
