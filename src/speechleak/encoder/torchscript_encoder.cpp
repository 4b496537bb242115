#include "speechleak/encoder/torchscript_encoder.h"

#include <torch/csrc/jit/python/update_graph_executor_opt.h>
#include <torch/script.h>

#include <cmath>
#include <optional>

#include "speechleak/runtime/blas_threads.h"
#include "speechleak/runtime/device.h"
#include "speechleak/util/error.h"

namespace speechleak::encoder {
namespace {

namespace fs = std::filesystem;
using torch::jit::IValue;
using torch::jit::Module;

enum class Mode { Torchaudio, ExtractFeatures, States };

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// "__torch__.pkg.___torch_mangle_45.Wav2Vec2Model" -> "pkg.Wav2Vec2Model": the mangling counter depends on the
// exporting session, not on the model.
std::string readable_type(std::string name) {
  if (name.rfind("__torch__.", 0) == 0) name = name.substr(10);
  for (size_t p; (p = name.find("___torch_mangle_")) != std::string::npos;) {
    size_t end = name.find('.', p);
    name.erase(p, end == std::string::npos ? std::string::npos : end - p + 1);
  }
  return name;
}

std::optional<Module> child(const Module& m, const std::string& name) {
  if (!m.hasattr(name)) return std::nullopt;
  auto v = m.attr(name);
  if (!v.isModule()) return std::nullopt;
  return v.toModule();
}

struct RawStates {
  std::vector<at::Tensor> states;  // index = state number (undefined where not computed)
  at::Tensor frames;               // [B] int64
};

}  // namespace

struct TorchScriptEncoder::Impl {
  Module module;
  Mode mode = Mode::States;
  c10::Device device{c10::kCPU};
  fs::path path;
  // Torchaudio mode: the submodules speechleak drives itself.
  std::optional<Module> feature_extractor, encoder, transformer, final_norm;
  std::vector<Module> layers;
  bool stable = false;
  bool split_blas_threads = true;

  bool detect_torchaudio();
  RawStates forward(const at::Tensor& w, const at::Tensor& l, int max_state);
  RawStates forward_torchaudio(const at::Tensor& w, const at::Tensor& l, int max_state);
  RawStates forward_extract(const at::Tensor& w, const at::Tensor& l);
  RawStates forward_states(const at::Tensor& w, const at::Tensor& l);
  [[noreturn]] void bad_output(const std::string& what) const {
    throw FormatError(path, "TorchScript module output: " + what +
                                " (expected (List[Tensor] of L+1 [B, T', D] states, lengths [B]) or "
                                "(Tensor [L+1, B, T', D], lengths [B]); see torchscript_encoder.h)");
  }
};

bool TorchScriptEncoder::Impl::detect_torchaudio() {
  if (!module.find_method("extract_features")) return false;
  feature_extractor = child(module, "feature_extractor");
  encoder = feature_extractor ? child(module, "encoder") : std::nullopt;
  transformer = encoder ? child(*encoder, "transformer") : std::nullopt;
  if (!transformer || !encoder->find_method("_preprocess") || !transformer->find_method("_preprocess") ||
      !transformer->hasattr("layer_norm_first"))
    return false;
  auto list = child(*transformer, "layers");
  final_norm = child(*transformer, "layer_norm");
  if (!list || !final_norm) return false;
  for (const auto& c : list->named_children()) layers.push_back(c.value);
  stable = !transformer->attr("layer_norm_first").toBool();  // torchaudio's flag means "norm before the layers"
  return !layers.empty();
}

RawStates TorchScriptEncoder::Impl::forward_torchaudio(const at::Tensor& w, const at::Tensor& l, int max_state) {
  auto fe = feature_extractor->forward({w, l}).toTuple();  // ([B, T', C], lengths?)
  auto frames = fe->elements()[1].toTensor();
  std::optional<runtime::ScopedIntraOpThreads> one_thread;  // as NativeEncoder: see blas_threads.h
  if (split_blas_threads && device.is_cpu() && runtime::blas_has_own_thread_pool()) one_thread.emplace(1);
  auto pre = encoder->run_method("_preprocess", fe->elements()[0], frames).toTuple();  // (x, mask?)
  IValue mask = pre->elements()[1];
  auto x = transformer->run_method("_preprocess", pre->elements()[0]).toTensor();
  RawStates out{{x}, frames};
  const int last = std::min(max_state, static_cast<int>(layers.size()));
  for (int i = 0; i < last; ++i) {
    x = layers[i].forward({x, mask}).toTensor();
    if (i + 1 == static_cast<int>(layers.size()) && stable) x = final_norm->forward({x}).toTensor();
    out.states.push_back(x);
  }
  return out;
}

RawStates TorchScriptEncoder::Impl::forward_extract(const at::Tensor& w, const at::Tensor& l) {
  auto r = module.run_method("extract_features", w, l).toTuple();
  RawStates out{{at::Tensor()}, r->elements()[1].toTensor()};  // state 0 unavailable
  for (const auto& t : r->elements()[0].toTensorVector()) out.states.push_back(t);
  return out;
}

RawStates TorchScriptEncoder::Impl::forward_states(const at::Tensor& w, const at::Tensor& l) {
  auto r = module.forward({w, l});
  if (!r.isTuple() || r.toTuple()->elements().size() != 2) bad_output("not a 2-tuple");
  const auto& e = r.toTuple()->elements();
  RawStates out;
  if (e[0].isTensor()) {
    auto stacked = e[0].toTensor();
    if (stacked.dim() != 4) bad_output("stacked states of " + std::to_string(stacked.dim()) + " dims");
    out.states = stacked.unbind(0);
  } else if (e[0].isTensorList() || e[0].isList()) {
    out.states = e[0].toTensorVector();
  } else {
    bad_output("first element is neither a tensor nor a list of tensors");
  }
  if (!e[1].isTensor()) bad_output("second element (frame lengths) is not a tensor");
  out.frames = e[1].toTensor();
  return out;
}

RawStates TorchScriptEncoder::Impl::forward(const at::Tensor& w, const at::Tensor& l, int max_state) {
  RawStates r;
  try {
    switch (mode) {
      case Mode::Torchaudio: r = forward_torchaudio(w, l, max_state); break;
      case Mode::ExtractFeatures: r = forward_extract(w, l); break;
      case Mode::States: r = forward_states(w, l); break;
    }
  } catch (const c10::Error& e) {
    throw FormatError(path, "TorchScript module failed: " + first_line(e.what_without_backtrace()));
  }
  for (const auto& s : r.states)
    if (s.defined() && (s.dim() != 3 || s.size(0) != w.size(0)))
      bad_output("a state of shape " + std::string(c10::str(s.sizes())) + " for a batch of " +
                 std::to_string(w.size(0)));
  if (r.frames.dim() != 1 || r.frames.size(0) != w.size(0)) bad_output("frame lengths of the wrong shape");
  r.frames = r.frames.to(at::kCPU, at::kLong);
  return r;
}

TorchScriptEncoder::TorchScriptEncoder(const fs::path& file, const EncoderOptions& options)
    : impl_(std::make_unique<Impl>()) {
  options.validate();
  if (options.precision != "fp32")
    throw invalid_argument("precision", "\"fp32\" for TorchScript encoders (bf16 needs the native modules)",
                           "\"" + options.precision + "\"");
  impl_->device = runtime::resolve_device(options.device);
  impl_->path = file;
  impl_->split_blas_threads = options.split_blas_threads;
  // Debian 1.13.1: the profiling executor hits "INTERNAL ASSERT FAILED at jit_type_base.h:547" on scripted
  // torchaudio models; without optimisation they run (at the same speed).
  torch::jit::setGraphExecutorOptimize(false);
  try {
    impl_->module = torch::jit::load(file.string(), impl_->device);
  } catch (const c10::Error& e) {
    throw FormatError(file, "cannot load as TorchScript (a torch.save() state dict or pickle is not TorchScript: "
                            "export with torch.jit.script(model).save(path)): " +
                                first_line(e.what_without_backtrace()));
  }
  impl_->module.eval();
  if (impl_->detect_torchaudio()) impl_->mode = Mode::Torchaudio;
  else if (impl_->module.find_method("extract_features")) impl_->mode = Mode::ExtractFeatures;
  else if (!impl_->module.find_method("forward"))
    throw FormatError(file, "TorchScript module has neither forward nor extract_features");

  // Probe: learn L, D and the frame rate from two short inputs (0.2 s and 0.4 s of a quiet tone).
  at::InferenceMode guard;
  const int64_t n1 = 3200, n2 = 6400;
  auto probe = [&](int64_t n) {
    auto w = (at::sin(at::arange(n, at::kFloat) * 0.05) * 0.1).unsqueeze(0).to(impl_->device);
    auto l = at::full({1}, n, at::kLong).to(impl_->device);
    return impl_->forward(w, l, std::numeric_limits<int>::max() / 2);
  };
  auto p1 = probe(n1), p2 = probe(n2);
  if (impl_->mode == Mode::Torchaudio) p1.states.resize(impl_->layers.size() + 1);
  const auto f1 = p1.frames[0].item<int64_t>(), f2 = p2.frames[0].item<int64_t>();
  const auto& last = p1.states.back();
  meta_.family = "torchscript";
  meta_.kind = impl_->mode == Mode::States ? "torchscript-states" : "torchscript-torchaudio";
  meta_.source = file;
  meta_.layers = static_cast<int>(p1.states.size()) - 1;
  meta_.width = static_cast<int>(last.size(2));
  for (int s = impl_->mode == Mode::ExtractFeatures ? 1 : 0; s <= meta_.layers; ++s) meta_.available_states.push_back(s);
  if (f2 > f1) meta_.samples_per_frame = static_cast<int>(std::lround(double(n2 - n1) / double(f2 - f1)));
  const bool standard = f1 == (n1 - 400) / 320 + 1 && f2 == (n2 - 400) / 320 + 1;
  meta_.receptive_field = standard ? 400 : static_cast<int>(n1 - (f1 - 1) * meta_.samples_per_frame);
  meta_.normalization = options.normalization.value_or(audio::Normalization::None);
  meta_.padding_invariant = !options.torchscript_batching;
  for (const auto& p : impl_->module.parameters()) meta_.parameters += p.numel();
  meta_.architecture = "mode=" + std::string(impl_->mode == Mode::Torchaudio        ? "torchaudio"
                                             : impl_->mode == Mode::ExtractFeatures ? "extract_features"
                                                                                     : "states") +
                       " type=" + readable_type(impl_->module.type()->name()->qualifiedName()) +
                       " stable_layer_norm=" + (impl_->stable ? "1" : "0") +
                       " batching=" + (options.torchscript_batching ? "1" : "0");
  meta_.weights_dtype = "F32";
  meta_.device = impl_->device.str();
  meta_.precision = options.precision;
}

TorchScriptEncoder::~TorchScriptEncoder() = default;

EncoderOutput TorchScriptEncoder::run(const at::Tensor& waveforms, const at::Tensor& lengths, const StateSet& states) {
  const int max_state = *states.rbegin();
  const int64_t b = waveforms.size(0);
  std::vector<RawStates> parts;  // one per call: the whole batch, or one per utterance
  if (!meta_.padding_invariant) {
    parts.push_back(impl_->forward(waveforms.to(impl_->device), lengths.to(impl_->device), max_state));
  } else {
    for (int64_t i = 0; i < b; ++i) {
      const int64_t n = lengths[i].item<int64_t>();
      auto w = waveforms.narrow(0, i, 1).narrow(1, 0, n).to(impl_->device);
      parts.push_back(impl_->forward(w, at::full({1}, n, at::kLong).to(impl_->device), max_state));
    }
  }
  std::vector<int64_t> frames;
  for (const auto& p : parts)
    for (int64_t i = 0; i < p.frames.size(0); ++i) frames.push_back(p.frames[i].item<int64_t>());
  const int64_t t = *std::max_element(frames.begin(), frames.end());
  std::map<int, at::Tensor> out;
  for (int s : states) {
    if (parts.size() == 1) {
      out.emplace(s, parts[0].states.at(s));
      continue;
    }
    auto joined = at::zeros({b, t, meta_.width});
    for (int64_t i = 0; i < b; ++i) joined[i].narrow(0, 0, frames[i]).copy_(parts[i].states.at(s)[0].narrow(0, 0, frames[i]));
    out.emplace(s, joined);
  }
  return EncoderOutput(std::move(out), std::move(frames));
}

}  // namespace speechleak::encoder
