#include "speechleak/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "speechleak/encoder/device.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/train/blas_control.h"
#include "speechleak/util/error.h"
#include "speechleak/util/log.h"

namespace speechleak::train {

namespace optim = torch::optim;

std::string train_log_header() {
  return "step,epoch,loss,masked_loss,masked_accuracy,unmasked_accuracy,lr,grad_norm,seconds,audio_seconds,"
         "masked_frames\n";
}

std::string to_csv_row(const StepLog& s) {
  char buf[320];
  std::snprintf(buf, sizeof buf, "%lld,%d,%.6f,%.6f,%.6f,%.6f,%.6e,%.4f,%.3f,%.2f,%lld\n",
                static_cast<long long>(s.step), s.epoch, s.loss, s.masked_loss, s.masked_accuracy,
                s.unmasked_accuracy, s.lr, s.grad_norm, s.seconds, s.audio_seconds,
                static_cast<long long>(s.masked_frames));
  return buf;
}

namespace {

// Weight decay on matrices and convolution kernels only; biases, norms and embeddings are not decayed (the usual
// transformer recipe). Parameter order is the modules' registration order, so the groups are the same every run.
std::vector<optim::OptimizerParamGroup> param_groups(PretrainModules& m, const OptimConfig& c) {
  std::vector<at::Tensor> decay, no_decay;
  auto sort = [&](const std::vector<at::Tensor>& params) {
    for (const auto& p : params) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  };
  sort(m.model->parameters());
  sort(m.head->parameters());
  auto opts = [&](double wd) {
    return std::make_unique<optim::AdamWOptions>(optim::AdamWOptions(c.lr)
                                                     .betas({c.beta1, c.beta2})
                                                     .eps(c.eps)
                                                     .weight_decay(wd));
  };
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, opts(c.weight_decay));
  groups.emplace_back(no_decay, opts(0.0));
  return groups;
}

// Global L2 norm of all gradients; scales them to max_norm when above it (max_norm <= 0: never). As
// torch.nn.utils.clip_grad_norm_, written out because libtorch's refuses an "infinite" max_norm.
double clip_gradients(optim::AdamW& optimizer, double max_norm) {
  std::vector<at::Tensor> grads;
  for (auto& g : optimizer.param_groups())
    for (auto& p : g.params())
      if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  std::vector<at::Tensor> norms;
  for (const auto& g : grads) norms.push_back(g.norm(2));
  const double total = at::stack(norms).norm(2).item<double>();
  if (max_norm > 0 && total > max_norm) {
    const double scale = max_norm / (total + 1e-6);
    for (auto& g : grads) g.mul_(scale);
  }
  return total;
}

}  // namespace

Trainer::Trainer(const PretrainConfig& config, const TrainingSet& data, int classes)
    : config_(config), device_(encoder::resolve_device(config.device)), data_(data) {
  config_.validate();
  runtime::ensure_torch_threads();
  modules_ = build_modules(config_, classes);
  modules_.model->to(device_);
  modules_.head->to(device_);
  modules_.model->train(true);
  modules_.head->train(true);
  optimizer_ = std::make_unique<optim::AdamW>(param_groups(modules_, config_.optim),
                                              optim::AdamWOptions(config_.optim.lr));
}

int64_t Trainer::steps_per_epoch() const {
  return batches_per_epoch(data_.utterances.size(), config_.data.batch_size);
}

int64_t Trainer::total_steps() const { return steps_per_epoch() * config_.epochs; }

double Trainer::lr_at(int64_t step) const {
  const auto& o = config_.optim;
  const int64_t total = total_steps();
  const auto warmup = static_cast<int64_t>(std::llround(o.warmup_fraction * static_cast<double>(total)));
  if (step < warmup) return o.lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (o.decay == "constant") return o.lr;
  const double progress = std::min(1.0, static_cast<double>(step - warmup) /
                                            static_cast<double>(std::max<int64_t>(1, total - warmup)));
  const double floor = o.min_lr_ratio;
  const double f = o.decay == "cosine" ? floor + (1 - floor) * 0.5 * (1 + std::cos(M_PI * progress))
                                       : 1.0 - (1 - floor) * progress;
  return o.lr * f;
}

StepLog Trainer::step(const Batch& batch, int epoch) {
  const auto start = std::chrono::steady_clock::now();
  const double lr = lr_at(pos_.step);
  for (auto& g : optimizer_->param_groups()) static_cast<optim::AdamWOptions&>(g.options()).lr(lr);
  optimizer_->zero_grad();
  const auto mask = batch.mask.to(device_);
  auto hidden = masked_forward(modules_.model, modules_.head, batch.waveforms.to(device_),
                               batch.lengths.to(device_), mask, config_.head.feature_grad_mult);
  auto out = hubert_loss(modules_.head, hidden, batch.targets.to(device_), mask, config_.head.unmasked_weight);
  const double loss = out.loss.item<double>();
  if (!std::isfinite(loss))
    throw Error("pretraining loss is not finite at step " + std::to_string(pos_.step + 1) +
                " (lower --lr or raise --warmup)");
  out.loss.backward();
  const double grad_norm = clip_gradients(*optimizer_, config_.optim.clip_norm);
  optimizer_->step();
  ++pos_.step;
  pos_.audio_seconds += batch.audio_seconds;
  pos_.elapsed_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  StepLog s;
  s.step = pos_.step;
  s.epoch = epoch;
  s.loss = loss;
  s.masked_loss = out.masked_loss;
  s.masked_accuracy = out.masked_frames ? static_cast<double>(out.masked_correct) / out.masked_frames : 0.0;
  s.unmasked_accuracy = out.unmasked_frames ? static_cast<double>(out.unmasked_correct) / out.unmasked_frames : 0.0;
  s.lr = lr;
  s.grad_norm = grad_norm;
  s.seconds = pos_.elapsed_s;
  s.audio_seconds = pos_.audio_seconds;
  s.masked_frames = out.masked_frames;
  return s;
}

bool Trainer::checkpoint_due(bool end_of_epoch) const {
  if (config_.checkpoint_every > 0) return pos_.step % config_.checkpoint_every == 0;
  return end_of_epoch;
}

TrainPosition Trainer::run(const std::filesystem::path& out_dir, const TrainerHooks& hooks) {
  ScopedBlasThreads blas(config_.blas_threads);
  const int64_t total = total_steps();
  const int64_t stop = config_.max_steps > 0 ? std::min<int64_t>(config_.max_steps, total) : total;
  auto checkpoint = [&] {
    if (out_dir.empty()) return;
    save_checkpoint(out_dir, modules_.model, modules_.head, *optimizer_, pos_, config_.keep_checkpoints);
    if (hooks.on_checkpoint) hooks.on_checkpoint(pos_);
  };
  bool saved = false;
  while (pos_.epoch < config_.epochs && pos_.step < stop) {
    const auto batches = epoch_batches(data_.utterances.size(), config_.data.batch_size, config_.seed, pos_.epoch);
    while (pos_.batch < static_cast<int64_t>(batches.size()) && pos_.step < stop) {
      const int epoch = pos_.epoch;
      auto batch = make_batch(data_, batches[pos_.batch], epoch, config_);
      if (hooks.on_batch) hooks.on_batch(batch);
      auto log = step(batch, epoch);
      ++pos_.batch;
      const bool end_of_epoch = pos_.batch == static_cast<int64_t>(batches.size());
      if (end_of_epoch) ++pos_.epoch, pos_.batch = 0;  // the position names the NEXT batch
      if (hooks.on_step) hooks.on_step(log);
      if (hooks.progress)
        hooks.progress(Progress{"pretrain", pos_.step, stop, pos_.audio_seconds, "s audio", 0});
      saved = checkpoint_due(end_of_epoch);
      if (saved) checkpoint();
      if (end_of_epoch) break;  // the next epoch has its own order
    }
  }
  if (!saved) checkpoint();
  return pos_;
}

void Trainer::resume_from(const std::filesystem::path& checkpoint_dir) {
  pos_ = load_checkpoint(checkpoint_dir, modules_.model, modules_.head, *optimizer_);
  // torch::load restores the optimiser's moments on the CPU; they must live where the parameters do.
  for (auto& [key, state] : optimizer_->state()) {
    auto& s = static_cast<optim::AdamWParamState&>(*state);
    s.exp_avg(s.exp_avg().to(device_));
    s.exp_avg_sq(s.exp_avg_sq().to(device_));
    if (s.max_exp_avg_sq().defined()) s.max_exp_avg_sq(s.max_exp_avg_sq().to(device_));
  }
}

}  // namespace speechleak::train
