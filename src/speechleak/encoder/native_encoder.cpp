#include "speechleak/encoder/native_encoder.h"

#include <optional>

#include "speechleak/runtime/blas_threads.h"
#include "speechleak/runtime/device.h"

namespace speechleak::encoder {

NativeEncoder::NativeEncoder(const std::filesystem::path& dir, const EncoderOptions& options) {
  options.validate();
  device_ = runtime::resolve_device(options.device);  // before loading: a CUDA request fails fast
  auto loaded = load_hf_directory(dir);
  model_ = loaded.model;
  report_ = std::move(loaded.report);
  init(options, loaded.do_normalize, dir);
}

NativeEncoder::NativeEncoder(Wav2Vec2Model model, const EncoderOptions& options, bool do_normalize,
                             std::filesystem::path source, LoadReport report)
    : model_(std::move(model)), report_(std::move(report)) {
  options.validate();
  device_ = runtime::resolve_device(options.device);
  init(options, do_normalize, std::move(source));
}

void NativeEncoder::init(const EncoderOptions& options, bool do_normalize, std::filesystem::path source) {
  const auto& c = model_->config();
  model_->to(device_);
  model_->prepare_inference(options.precision == "bf16" ? ComputePrecision::BF16 : ComputePrecision::F32);
  meta_.family = c.model_type;
  meta_.kind = "hf-native";
  meta_.source = std::move(source);
  meta_.layers = c.num_hidden_layers;
  meta_.width = c.hidden_size;
  meta_.samples_per_frame = c.samples_per_frame();
  meta_.receptive_field = c.receptive_field();
  meta_.normalization = options.normalization.value_or(do_normalize ? audio::Normalization::ZeroMeanUnitVar
                                                                    : audio::Normalization::None);
  // Group-norm models included (masked statistics, feature_extractor.h); TERA computes each utterance's mel frames
  // on its own samples (mel_front_end.h).
  meta_.padding_invariant = true;
  for (int s = 0; s <= c.num_hidden_layers; ++s) meta_.available_states.push_back(s);
  meta_.parameters = model_->parameter_count();
  meta_.ignored_keys = report_.ignored_keys;
  meta_.architecture = c.to_string();
  meta_.weights_dtype = report_.source_dtype.empty() ? "F32" : report_.source_dtype;
  meta_.device = device_.str();
  meta_.precision = options.precision;
  split_blas_threads_ = options.split_blas_threads;
}

EncoderOutput NativeEncoder::run(const at::Tensor& waveforms, const at::Tensor& lengths, const StateSet& states) {
  const int max_state = *states.rbegin();
  std::vector<bool> keep(max_state + 1, false);
  for (int s : states) keep[s] = true;
  auto w = waveforms.to(device_);
  // Without padding the lengths are dropped: no masks, and the group norm takes its fast path.
  const bool padded = lengths.min().item<int64_t>() < waveforms.size(1);
  auto extracted = model_->extract(w, padded ? lengths.to(device_) : at::Tensor());
  HiddenStates hidden;
  {
    // One ATen thread for the transformer when the BLAS has its own pool (see blas_threads.h); the convolutions
    // above run on ATen's threads (oneDNN) and keep them.
    const bool split = split_blas_threads_ && device_.is_cpu() && runtime::blas_has_own_thread_pool();
    std::optional<runtime::ScopedIntraOpThreads> one_thread;
    if (split) one_thread.emplace(1);
    hidden = model_->states_from_features(extracted, padded, keep);
  }
  std::map<int, at::Tensor> out;
  for (int s : states) out.emplace(s, hidden.states[s]);
  auto frames = hidden.frame_lengths.cpu();
  std::vector<int64_t> f(frames.data_ptr<int64_t>(), frames.data_ptr<int64_t>() + frames.numel());
  return EncoderOutput(std::move(out), std::move(f));
}

}  // namespace speechleak::encoder
