#include "speechleak/encoder/encoder.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "speechleak/encoder/hf_loader.h"
#include "speechleak/encoder/native_encoder.h"
#include "speechleak/encoder/torchscript_encoder.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::encoder {
namespace {

namespace fs = std::filesystem;

std::string state_list(const std::vector<int>& s) {
  std::string out = "{";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "}";
}

StateSet resolve_states(const StateSet& wanted, const EncoderMetadata& meta) {
  const auto& avail = meta.available_states;
  if (wanted.empty()) return StateSet(avail.begin(), avail.end());
  for (int s : wanted)
    if (!std::binary_search(avail.begin(), avail.end(), s))
      throw invalid_argument("state " + std::to_string(s), "one of the available states " + state_list(avail) +
                                                               " of " + meta.source.string(),
                             std::to_string(s));
  return wanted;
}

at::Tensor checked_lengths(const at::Tensor& waveforms, const at::Tensor& lengths, const EncoderMetadata& meta) {
  if (waveforms.dim() != 2 || waveforms.size(0) == 0)
    throw invalid_argument("waveforms", "a [B, T] tensor with B >= 1", "shape " + std::string(c10::str(waveforms.sizes())));
  if (waveforms.scalar_type() != at::kFloat)
    throw invalid_argument("waveforms", "float32", std::string(c10::toString(waveforms.scalar_type())));
  if (lengths.dim() != 1 || lengths.size(0) != waveforms.size(0) || !at::isIntegralType(lengths.scalar_type(), false))
    throw invalid_argument("lengths", "an integer [" + std::to_string(waveforms.size(0)) + "] tensor",
                           std::string(c10::toString(lengths.scalar_type())) + " of shape " +
                               std::string(c10::str(lengths.sizes())));
  auto l = lengths.to(at::kCPU, at::kLong).contiguous();
  const int64_t t = waveforms.size(1);
  for (int64_t b = 0; b < l.size(0); ++b) {
    const int64_t n = l[b].item<int64_t>();
    if (n < meta.receptive_field || n > t)
      throw invalid_argument("lengths[" + std::to_string(b) + "]",
                             "between the receptive field (" + std::to_string(meta.receptive_field) +
                                 " samples, one frame) and the padded length " + std::to_string(t),
                             std::to_string(n));
  }
  return l;
}

// Per-utterance normalisation over the valid samples (audio::normalize, the project's one definition), padding
// set to zero afterwards as HF's feature extractor does.
at::Tensor normalised_batch(const at::Tensor& waveforms, const at::Tensor& lengths, audio::Normalization mode) {
  auto w = waveforms.to(at::kCPU).contiguous().clone();
  auto* data = w.data_ptr<float>();
  const int64_t t = w.size(1);
  for (int64_t b = 0; b < w.size(0); ++b) {
    const int64_t n = lengths[b].item<int64_t>();
    audio::normalize(std::span<float>(data + b * t, n), mode);
    std::fill(data + b * t + n, data + (b + 1) * t, 0.0f);
  }
  return w;
}

// Zip archives keep their directory at the end; TorchScript archives name an entry <archive>/constants.pkl.
bool zip_with_constants_pkl(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, 4) || std::memcmp(magic, "PK\x03\x04", 4) != 0) return false;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<int64_t>(in.tellg());
  const int64_t tail = std::min<int64_t>(size, 1 << 20);
  std::string buf(static_cast<size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(buf.data(), tail);
  return buf.find("constants.pkl") != std::string::npos;
}

}  // namespace

void EncoderOptions::validate() const {
  if (device != "cpu" && device != "cuda" && !text::starts_with(device, "cuda:"))
    throw invalid_argument("device", "\"cpu\", \"cuda\" or \"cuda:N\"", "\"" + device + "\"");
  if (precision != "fp32" && precision != "bf16")
    throw invalid_argument("precision", "\"fp32\" or \"bf16\"", "\"" + precision + "\"");
}

std::string EncoderOptions::to_string() const {
  return "device=" + device + " precision=" + precision + " normalization=" +
         (normalization ? audio::to_string(*normalization) : std::string("checkpoint")) +
         " torchscript_batching=" + (torchscript_batching ? "true" : "false") +
         " split_blas_threads=" + (split_blas_threads ? "true" : "false");
}

std::string EncoderMetadata::description() const {
  auto n = [](auto v) { return std::to_string(v); };
  return "family=" + family + " kind=" + kind + " layers=" + n(layers) + " width=" + n(width) +
         " sample_rate=" + n(sample_rate) + " samples_per_frame=" + n(samples_per_frame) +
         " receptive_field=" + n(receptive_field) + " normalization=" + audio::to_string(normalization) +
         " parameters=" + n(parameters) + " precision=" + precision + " architecture={" + architecture + "}";
}

EncoderOutput::EncoderOutput(std::map<int, at::Tensor> states, std::vector<int64_t> frames)
    : states_(std::move(states)), frames_(std::move(frames)) {}

std::vector<int> EncoderOutput::states() const {
  std::vector<int> out;
  for (const auto& [s, t] : states_) out.push_back(s);
  return out;
}

const at::Tensor& EncoderOutput::state(int s) const {
  auto it = states_.find(s);
  if (it == states_.end()) throw invalid_argument("state", "one of the requested states " + state_list(states()),
                                                  std::to_string(s));
  return it->second;
}

at::Tensor EncoderOutput::utterance(int s, int64_t b) const {
  if (b < 0 || b >= batch_size())
    throw invalid_argument("utterance index", "0.." + std::to_string(batch_size() - 1), std::to_string(b));
  return state(s)[b].narrow(0, 0, frames_[b]);
}

EncoderOutput Encoder::encode(const at::Tensor& waveforms, const at::Tensor& lengths, const StateSet& states) {
  runtime::ensure_torch_threads();
  const auto& meta = metadata();
  auto wanted = resolve_states(states, meta);
  EncoderOutput raw;
  {
    at::InferenceMode inference;
    auto l = checked_lengths(waveforms, lengths, meta);
    auto w = normalised_batch(waveforms, l, meta.normalization);
    raw = run(w, l, wanted);
  }
  // Common finish, outside inference mode so that callers get ordinary tensors (an inference tensor cannot take
  // part in autograd later, e.g. in a trained attack): CPU float32, contiguous, padded frames zeroed (HF leaves
  // arbitrary values there).
  at::NoGradGuard no_grad;
  std::map<int, at::Tensor> out;
  for (int s : raw.states()) {
    const auto& src = raw.state(s);
    auto t = at::empty(src.sizes(), at::TensorOptions().dtype(at::kFloat));
    t.copy_(src);
    for (int64_t b = 0; b < t.size(0); ++b)
      if (raw.frames()[b] < t.size(1)) t[b].narrow(0, raw.frames()[b], t.size(1) - raw.frames()[b]).zero_();
    out.emplace(s, std::move(t));
  }
  return EncoderOutput(std::move(out), raw.frames());
}

EncoderOutput Encoder::encode(const std::vector<std::span<const float>>& utterances, const StateSet& states) {
  if (utterances.empty()) throw invalid_argument("utterances", "at least one", "none");
  size_t t = 0;
  for (const auto& u : utterances) t = std::max(t, u.size());
  at::Tensor w, l;
  {
    at::InferenceMode inference;
    w = at::zeros({static_cast<int64_t>(utterances.size()), static_cast<int64_t>(t)});
    l = at::empty({static_cast<int64_t>(utterances.size())}, at::kLong);
    for (size_t b = 0; b < utterances.size(); ++b) {
      std::copy(utterances[b].begin(), utterances[b].end(), w.data_ptr<float>() + b * t);
      l[b] = static_cast<int64_t>(utterances[b].size());
    }
  }
  return encode(w, l, states);
}

CheckpointKind detect_checkpoint_kind(const fs::path& path) {
  if (!fs::exists(path)) throw FileError(path, "no such file or directory");
  if (fs::is_directory(path)) {
    if (fs::exists(path / "config.json")) return CheckpointKind::HfDirectory;
    if (fs::exists(path / "pytorch_model.bin")) throw FormatError(path, pytorch_bin_refusal(path));
    throw FormatError(path, "directory without config.json: not a Hugging Face model directory");
  }
  const auto ext = text::to_lower(path.extension().string());
  if (ext == ".pt" || ext == ".ts" || ext == ".torchscript" || zip_with_constants_pkl(path))
    return CheckpointKind::TorchScript;
  if (path.filename() == "pytorch_model.bin") throw FormatError(path, pytorch_bin_refusal(path.parent_path()));
  if (ext == ".safetensors")
    throw FormatError(path, "a bare .safetensors file has no architecture: pass the directory holding it and "
                            "its config.json");
  throw FormatError(path, "not a model: expected a Hugging Face directory (config.json + model.safetensors) or a "
                          "TorchScript file (.pt, .ts, .torchscript, or a zip archive with constants.pkl)");
}

std::unique_ptr<Encoder> load_encoder(const fs::path& path, const EncoderOptions& options) {
  options.validate();
  runtime::ensure_torch_threads();
  switch (detect_checkpoint_kind(path)) {
    case CheckpointKind::HfDirectory: return std::make_unique<NativeEncoder>(path, options);
    case CheckpointKind::TorchScript: return std::make_unique<TorchScriptEncoder>(path, options);
  }
  throw FormatError(path, "unknown checkpoint kind");
}

}  // namespace speechleak::encoder
