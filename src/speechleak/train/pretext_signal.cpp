#include "speechleak/train/pretext_signal.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <vector>

#include "speechleak/audio/normalize.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/train/encoder_forward.h"
#include "speechleak/train/hubert_objective.h"
#include "speechleak/train/masking.h"
#include "speechleak/train/pretrain_config.h"
#include "speechleak/train/targets.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/number_format.h"
#include "speechleak/util/random.h"

namespace speechleak::train {

namespace fs = std::filesystem;

namespace {

constexpr const char* kConfig = "pretrain_config.json";
constexpr const char* kHead = "pretraining_head.safetensors";
constexpr const char* kTargets = "targets.safetensors";

PretrainConfig read_pretrain_config(const fs::path& dir) {
  const auto path = dir / kConfig;
  if (!fs::exists(path))
    throw FileError(path, "missing: the pretext signal needs a model pretrained by speechleak (pretrain_config.json, " +
                              std::string(kHead) + ", " + kTargets + ")");
  auto j = nlohmann::json::parse(read_text_file(path), nullptr, false);
  if (j.is_discarded()) throw FormatError(path, "not valid JSON");
  auto config = PretrainConfig::from_json(j, path.string());
  if (config.objective != "hubert")
    throw FormatError(path, "objective '" + config.objective + "': the pretext signal is defined for the HuBERT "
                            "objective only");
  return config;
}

// Copies the head tensors of `path` into `head`, refusing missing, extra or misshapen tensors.
void load_head(HubertHead& head, const fs::path& path) {
  auto tensors = encoder::load_tensors(path);
  at::NoGradGuard no_grad;
  for (auto& p : head->named_parameters(true)) {
    auto it = tensors.find(p.key());
    if (it == tensors.end()) throw FormatError(path, "has no tensor '" + p.key() + "' (the pretraining head's)");
    if (it->second.sizes() != p.value().sizes())
      throw FormatError(path, "tensor '" + p.key() + "' has shape " + c10::str(it->second.sizes()) + ", expected " +
                                  c10::str(p.value().sizes()));
    p.value().copy_(it->second.to(at::kFloat));
    tensors.erase(it);
  }
  if (!tensors.empty()) throw FormatError(path, "holds tensors the head does not have, e.g. '" + tensors.begin()->first + "'");
}

}  // namespace

std::string PretextSignalConfig::to_string() const {
  return "seed=" + std::to_string(seed) + " mask_prob=" + text::shortest(masking.prob) +
         " mask_span=" + std::to_string(masking.span) + " min_spans=" + std::to_string(masking.min_spans);
}

bool has_pretext_head(const fs::path& dir) {
  return fs::exists(dir / kConfig) && fs::exists(dir / kHead) && fs::exists(dir / kTargets);
}

MaskingConfig pretext_masking(const fs::path& dir) { return read_pretrain_config(dir).hubert.masking; }

struct PretextSignal::Impl {
  PretextSignalConfig config;
  encoder::Wav2Vec2Model model{nullptr};
  bool do_normalize = false;
  HubertHead head{nullptr};
  TargetModel targets;
  std::string description;
};

PretextSignal::PretextSignal(const fs::path& dir, const PretextSignalConfig& config) : impl_(std::make_unique<Impl>()) {
  config.validate();
  auto& m = *impl_;
  m.config = config;
  const auto pretrain = read_pretrain_config(dir);
  for (const char* f : {kHead, kTargets})
    if (!fs::exists(dir / f)) throw FileError(dir / f, "missing: the pretext signal needs the model's pretraining head and targets");
  auto loaded = encoder::load_hf_directory(dir);
  m.model = loaded.model;
  m.do_normalize = loaded.do_normalize;
  m.model->eval();
  m.targets = TargetModel::load(dir / kTargets);
  const auto& arch = m.model->config();
  m.head = HubertHead(arch.hidden_size, m.targets.clusters(), pretrain.hubert.head,
                      pretrain.hubert.resolved_final_dim(arch));
  load_head(m.head, dir / kHead);
  m.head->eval();
  const uint64_t h = hash_files(dir, {"model.safetensors", kHead, kTargets}, fnv1a64("pretext"));
  m.description = "pretext: " + config.to_string() + " head=" + text::hex64(h) + " classes=" +
                  std::to_string(m.targets.clusters()) + " scope=" + m.targets.scope;
}

PretextSignal::~PretextSignal() = default;

std::string PretextSignal::description() const { return impl_->description; }

std::map<std::string, double> PretextSignal::compute(std::span<const float> samples, const std::string& utt_id) {
  auto& m = *impl_;
  at::NoGradGuard no_grad;
  const auto raw = at::from_blob(const_cast<float*>(samples.data()), {int64_t(samples.size())}, at::kFloat).clone();
  const auto labels = m.targets.nearest_labels(raw);
  const auto& arch = m.model->config();
  const int64_t frames = std::min<int64_t>(arch.frames_for(raw.size(0)), labels.size(0));
  if (frames < 2)
    throw Error("too short for the pretext signal: " + std::to_string(samples.size()) + " samples give " +
                std::to_string(frames) + " frames (at least 2)");
  auto wave = raw.clone();
  if (m.do_normalize)
    audio::normalize({wave.data_ptr<float>(), size_t(wave.numel())}, audio::Normalization::ZeroMeanUnitVar);
  Rng rng(derive_seed(m.config.seed, "pretext/" + utt_id));
  const auto masked_idx = span_mask_indices(frames, m.config.masking, rng);
  const int64_t model_frames = arch.frames_for(raw.size(0));
  auto mask = at::zeros({1, model_frames}, at::kBool);
  for (auto t : masked_idx) mask[0][t] = true;
  const auto lengths = at::full({1}, raw.size(0), at::kLong);
  const auto hidden = masked_forward(m.model, wave.unsqueeze(0), lengths, mask, 1.0);  // [1, T', D]
  const auto logp = at::log_softmax(m.head->logits(hidden[0].narrow(0, 0, frames)), -1);  // [frames, K]
  const auto y = labels.narrow(0, 0, frames);
  const auto target_logp = logp.gather(1, y.unsqueeze(1)).squeeze(1);  // [frames]
  const auto sel = mask[0].narrow(0, 0, frames);
  const auto correct = logp.argmax(-1) == y;
  const int64_t n_masked = sel.sum().item<int64_t>();
  auto mean_over = [](const at::Tensor& v, const at::Tensor& s) {
    const auto n = s.sum().item<int64_t>();
    return n > 0 ? v.masked_select(s).to(at::kDouble).mean().item<double>() : 0.0;
  };
  return {{"masked_logp", mean_over(target_logp, sel)},
          {"unmasked_logp", mean_over(target_logp, ~sel)},
          {"masked_accuracy", n_masked > 0 ? correct.masked_select(sel).to(at::kDouble).mean().item<double>() : 0.0},
          {"masked_frames", double(n_masked)}};
}

}  // namespace speechleak::train
