#include "speechleak/train/trainer.h"

#include <csignal>
#include <chrono>
#include <cmath>
#include <limits>

#include "speechleak/runtime/blas_threads.h"
#include "speechleak/runtime/device.h"
#include "speechleak/runtime/process_group.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/runtime/torch_rng.h"
#include "speechleak/train/data_parallel.h"
#include "speechleak/train/pretraining_objective.h"
#include "speechleak/train/model_init.h"
#include "speechleak/train/run_directory.h"
#include "speechleak/util/error.h"
#include "speechleak/util/interrupt.h"
#include "speechleak/util/log.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

namespace optim = torch::optim;

double StepLog::metric(const std::string& name) const {
  for (const auto& [k, v] : metrics)
    if (k == name) return v;
  throw invalid_argument("metric", "one the objective logs", "'" + name + "'");
}

std::string train_log_header(const Objective& objective) {
  std::string h = "step,epoch,loss";
  for (const auto& c : objective.metric_columns()) h += "," + c;
  h += ",lr,grad_norm,seconds,audio_seconds";
  for (const auto& c : objective.count_columns()) h += "," + c;
  return h + "\n";
}

std::string to_csv_row(const StepLog& s) {
  // Appended field by field: gcc 12 warns falsely (-Wstringop-overflow) on "," + std::string&&.
  std::string row;
  auto field = [&row](const std::string& f) {
    if (!row.empty()) row += ',';
    row += f;
  };
  field(std::to_string(s.step));
  field(std::to_string(s.epoch));
  field(text::fixed(s.loss, 6));
  for (const auto& [k, v] : s.metrics) field(text::fixed(v, 6));
  field(text::scientific(s.lr, 6));
  field(text::fixed(s.grad_norm, 4));
  field(text::fixed(s.seconds, 3));
  field(text::fixed(s.audio_seconds, 2));
  for (const auto& [k, v] : s.counts) field(std::to_string(v));
  return row + "\n";
}

namespace {

// fairseq's tri_stage scheduler: linear from init_lr_scale * lr to lr over the warm-up, lr for the hold, then
// lr * exp(-k s) over the s-th decay step, with k such that the last step reaches final_lr_scale * lr.
double tri_stage_lr(const OptimConfig& o, int64_t step, int64_t total, int64_t warmup) {
  const auto hold = static_cast<int64_t>(std::llround(o.hold_fraction * static_cast<double>(total)));
  const double init = o.init_lr_scale * o.lr;
  if (step < warmup) return init + (o.lr - init) * static_cast<double>(step) / static_cast<double>(warmup);
  if (step < warmup + hold) return o.lr;
  const int64_t decay_steps = std::max<int64_t>(1, total - warmup - hold);
  const double k = -std::log(o.final_lr_scale) / static_cast<double>(decay_steps);
  const double s = static_cast<double>(std::min(step - warmup - hold + 1, decay_steps));
  return o.lr * std::exp(-k * s);
}

// Weight decay on matrices and convolution kernels only; biases, norms and embeddings are not decayed (the usual
// transformer recipe). Parameter order is the modules' registration order, so the groups are the same every run.
std::vector<optim::OptimizerParamGroup> param_groups(const std::vector<NamedModule>& modules, const OptimConfig& c) {
  std::vector<at::Tensor> decay, no_decay;
  for (const auto& [name, module] : modules)
    for (const auto& p : module->parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
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

Trainer::Trainer(const TrainingConfig& config, const TrainingSet& data, std::unique_ptr<Objective> objective,
                 encoder::Wav2Vec2Model initial)
    : config_(config), device_(runtime::resolve_device(config.device)), data_(data), objective_(std::move(objective)) {
  config_.validate();
  if (!objective_) throw invalid_argument("objective", "an objective", "none");
  runtime::ensure_torch_threads();
  {
    runtime::ForkedTorchRng rng(derive_seed(config_.seed, "init"));
    model_ = initial ? initial : init_encoder_model(config_.model);
    objective_->build(model_->config());
  }
  objective_->plan(total_steps());
  for (auto& [name, module] : modules()) {
    module->to(device_);
    module->train(true);
  }
  optimizer_ = std::make_unique<optim::AdamW>(param_groups(modules(), config_.optim),
                                              optim::AdamWOptions(config_.optim.lr));
}

Trainer::Trainer(const PretrainConfig& config, const TrainingSet& data, int classes)
    : Trainer(config, data, make_pretraining_objective(config, nullptr, classes)) {}

std::vector<NamedModule> Trainer::modules() const {
  std::vector<NamedModule> out{{"model", model_.ptr()}};
  for (auto& h : objective_->heads()) out.push_back(h);
  return out;
}

std::vector<at::Tensor> Trainer::head_parameters() const {
  std::vector<at::Tensor> out;
  for (const auto& [name, module] : objective_->heads())
    for (const auto& p : module->parameters()) out.push_back(p);
  return out;
}

int64_t Trainer::steps_per_epoch() const {
  return batches_per_epoch(data_.utterances.size(), config_.data.batch_size);
}

int64_t Trainer::total_steps() const { return steps_per_epoch() * config_.epochs; }

double Trainer::lr_at(int64_t step) const {
  const auto& o = config_.optim;
  const int64_t total = total_steps();
  const auto warmup = static_cast<int64_t>(std::llround(o.warmup_fraction * static_cast<double>(total)));
  if (o.decay == "tri-stage") return tri_stage_lr(o, step, total, warmup);
  if (step < warmup) return o.lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (o.decay == "constant") return o.lr;
  const double progress = std::min(1.0, static_cast<double>(step - warmup) /
                                            static_cast<double>(std::max<int64_t>(1, total - warmup)));
  const double floor = o.min_lr_ratio;
  const double f = o.decay == "cosine" ? floor + (1 - floor) * 0.5 * (1 + std::cos(M_PI * progress))
                                       : 1.0 - (1 - floor) * progress;
  return o.lr * f;
}

std::vector<at::Tensor> Trainer::parameters() const {
  std::vector<at::Tensor> out;
  for (const auto& [name, module] : modules())
    for (const auto& p : module->parameters()) out.push_back(p);
  return out;
}

void Trainer::distribute(std::shared_ptr<runtime::ProcessGroup> group) {
  group_ = std::move(group);
  if (group_) broadcast_from_rank0(*group_, modules());
}

bool Trainer::writes_outputs() const { return !group_ || group_->rank() == 0; }

std::string Trainer::step_stream() const {
  // Rank 0 draws what one process would; the others draw streams of their own (their utterances differ).
  const auto stream = "step/" + std::to_string(pos_.step);
  return group_ && group_->rank() > 0 ? stream + "/rank/" + std::to_string(group_->rank()) : stream;
}

Error Trainer::not_finite_loss() const {
  return Error(objective_->name() + " loss is not finite at step " + std::to_string(pos_.step + 1) +
               " (lower --lr or raise --warmup)");
}

void Trainer::reduce_over_ranks(bool ran, ObjectiveLoss& out, double& loss, double& audio_seconds) {
  auto metric_weights = out.metric_weights;
  if (metric_weights.empty()) metric_weights.assign(out.metrics.size(), out.weight);
  if (!ran) metric_weights.assign(out.metrics.size(), 0.0);
  RankStep mine{ran,        std::isfinite(loss), ran ? out.weight : 0.0, loss, out.metrics, metric_weights,
                out.counts, audio_seconds,       interrupt_requested() != 0};
  const auto g = reduce_step(*group_, parameters(), mine, pos_.step + 1);
  if (!g.all_finite) throw not_finite_loss();  // on every rank, at the same step
  loss = g.loss, out.metrics = g.metrics, out.counts = g.counts, audio_seconds = g.audio_seconds;
  agreed_stop_ = g.interrupt;
}

StepLog Trainer::step(const Batch& host_batch, int epoch) {
  const auto start = std::chrono::steady_clock::now();
  const double lr = lr_at(pos_.step);
  for (auto& g : optimizer_->param_groups()) static_cast<optim::AdamWOptions&>(g.options()).lr(lr);
  objective_->before_step(pos_.step, model_);
  optimizer_->zero_grad();
  const bool ran = host_batch.waveforms.defined();  // a data-parallel rank's slice may be empty
  if (!ran && !group_) throw invalid_argument("batch", "a batch with utterances", "an empty one");
  const auto metric_names = objective_->metric_columns();
  const auto count_names = objective_->count_columns();
  ObjectiveLoss out;
  out.metrics.assign(metric_names.size(), 0.0);
  out.counts.assign(count_names.size(), 0);
  double loss = 0, audio_seconds = 0;
  if (ran) {
    const auto batch = host_batch.to(device_);
    audio_seconds = batch.audio_seconds;
    // Draws from torch's generator inside a step (dropout) are a function of (seed, step), so a resumed run repeats
    // them; the caller's generator is left as it was.
    runtime::ForkedTorchRng rng(derive_seed(config_.seed, step_stream()));
    out = objective_->loss(model_, batch);
    loss = out.loss.item<double>();
    if (out.metrics.size() != metric_names.size() || out.counts.size() != count_names.size())
      throw Error(objective_->name() + " objective reported " + std::to_string(out.metrics.size()) + " metrics and " +
                  std::to_string(out.counts.size()) + " counts for " + std::to_string(metric_names.size()) + " and " +
                  std::to_string(count_names.size()) + " log columns");
    if (!group_) {
      if (!std::isfinite(loss)) throw not_finite_loss();
      out.loss.backward();
    } else if (std::isfinite(loss)) {
      (out.loss * out.weight).backward();  // reduce_step divides the sum over ranks by the total weight
    }
  }
  if (group_) reduce_over_ranks(ran, out, loss, audio_seconds);
  const double grad_norm = clip_gradients(*optimizer_, config_.optim.clip_norm);
  optimizer_->step();
  ++pos_.step;
  pos_.audio_seconds += audio_seconds;
  pos_.elapsed_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  StepLog s;
  s.step = pos_.step;
  s.epoch = epoch;
  s.loss = loss;
  for (size_t i = 0; i < metric_names.size(); ++i) s.metrics.emplace_back(metric_names[i], out.metrics[i]);
  for (size_t i = 0; i < count_names.size(); ++i) s.counts.emplace_back(count_names[i], out.counts[i]);
  s.lr = lr;
  s.grad_norm = grad_norm;
  s.seconds = pos_.elapsed_s;
  s.audio_seconds = pos_.audio_seconds;
  return s;
}

bool Trainer::checkpoint_due(bool end_of_epoch) const {
  if (config_.checkpoint_every > 0) return pos_.step % config_.checkpoint_every == 0;
  return end_of_epoch;
}

TrainPosition Trainer::run(const std::filesystem::path& out_dir, const TrainerHooks& hooks) {
  runtime::ScopedBlasThreads blas(config_.blas_threads);
  const int64_t total = total_steps();
  const int64_t stop = config_.max_steps > 0 ? std::min<int64_t>(config_.max_steps, total) : total;
  auto checkpoint = [&] {
    if (out_dir.empty() || !writes_outputs()) return;
    save_checkpoint(out_dir, modules(), *optimizer_, pos_, config_.keep_checkpoints);
    if (hooks.on_checkpoint) hooks.on_checkpoint(pos_);
  };
  bool saved = false;
  while (pos_.epoch < config_.epochs && pos_.step < stop) {
    const auto batches = epoch_batches(data_.utterances.size(), config_.data.batch_size, config_.seed, pos_.epoch);
    while (pos_.batch < static_cast<int64_t>(batches.size()) && pos_.step < stop) {
      const int epoch = pos_.epoch;
      const auto& global = batches[pos_.batch];
      const auto mine = group_ ? rank_slice(global, group_->rank(), group_->size()) : global;
      Batch batch;
      if (!mine.empty()) {
        batch = make_batch(data_, mine, epoch, config_, objective_->label_layout());
        objective_->prepare(batch, epoch);
        if (hooks.on_batch) hooks.on_batch(batch);
      }
      auto log = step(batch, epoch);
      ++pos_.batch;
      const bool end_of_epoch = pos_.batch == static_cast<int64_t>(batches.size());
      if (end_of_epoch) ++pos_.epoch, pos_.batch = 0;  // the position names the NEXT batch
      if (hooks.on_step) hooks.on_step(log);
      if (end_of_epoch && hooks.on_epoch_end) hooks.on_epoch_end(pos_.epoch);
      saved = checkpoint_due(end_of_epoch);
      if (saved) checkpoint();
      try {
        // Data-parallel ranks stop together: a request only this rank has seen waits for the next step's
        // reduction, which tells every rank (agreed_stop_).
        const bool defer = group_ && interrupt_requested() && !agreed_stop_;
        if (hooks.progress && !defer)
          hooks.progress(Progress{hooks.stage, pos_.step, stop, pos_.audio_seconds, "s audio", 0});
        if (agreed_stop_) throw Interrupted(interrupt_requested() ? interrupt_requested() : SIGTERM);
      } catch (const Interrupted&) {
        if (!saved) checkpoint();  // so that --resume loses no step
        throw;
      }
      if (end_of_epoch) break;  // the next epoch has its own order
    }
  }
  if (!saved) checkpoint();
  return pos_;
}

bool Trainer::resume_latest(const std::filesystem::path& out_dir) {
  const auto checkpoint = latest_checkpoint(out_dir);
  if (!checkpoint) return false;
  resume_from(*checkpoint);
  log_info("resumed from " + checkpoint->string() + " at step " + std::to_string(pos_.step));
  return true;
}

TrainLogFile::TrainLogFile(const std::filesystem::path& path, const Trainer& trainer, int log_every, bool resumed)
    : log_every_(log_every), last_step_(trainer.total_steps()) {
  prepare_train_log(path, train_log_header(trainer.objective()), trainer.position().step,
                    resumed);
  file_ = AppendFile(path);
}

void TrainLogFile::add(const StepLog& s) {
  if (s.step % log_every_ == 0 || s.step == last_step_) file_.write(to_csv_row(s));
}

void Trainer::resume_from(const std::filesystem::path& checkpoint_dir) {
  pos_ = load_checkpoint(checkpoint_dir, modules(), *optimizer_);
  // torch::load restores the optimiser's moments on the CPU; they must live where the parameters do.
  for (auto& [key, state] : optimizer_->state()) {
    auto& s = static_cast<optim::AdamWParamState&>(*state);
    s.exp_avg(s.exp_avg().to(device_));
    s.exp_avg_sq(s.exp_avg_sq().to(device_));
    if (s.max_exp_avg_sq().defined()) s.max_exp_avg_sq(s.max_exp_avg_sq().to(device_));
  }
}

}  // namespace speechleak::train
