// encoder_bench: times speechleak's native forward pass on a HuBERT-base-shaped model (bench/encoder_bench.sh
// writes it), measures the machine's fp32 matmul rate in the same process, and compares bf16 with fp32.
// Prints one JSON object on stdout. Not a test: numbers depend on the machine and its load.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "speechleak/runtime/allocator.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/hf_config.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/runtime/threads.h"

namespace fs = std::filesystem;
using namespace speechleak;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best of `repeats` after a warm-up run: on a shared machine the minimum is the least disturbed measurement.
template <typename F>
double best_seconds(int repeats, F&& f) {
  f();  // warm-up: first-touch allocations, OpenBLAS thread start
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(seconds_since(t0));
  }
  std::sort(t.begin(), t.end());
  return t.front();
}

double matmul_gflops(int n, int repeats, at::ScalarType dtype) {
  at::InferenceMode guard;
  auto a = at::randn({n, n}).to(dtype), b = at::randn({n, n}).to(dtype);
  const double s = best_seconds(repeats, [&] { at::mm(a, b); });
  return 2.0 * n * n * n / s / 1e9;
}

// Multiply-adds x2 of one forward pass over `samples` samples (convolutions and matmuls; no norms/softmax).
double forward_flops(const encoder::Wav2Vec2Config& c, int64_t samples) {
  double f = 0;
  int64_t t = samples, in = 1;
  for (size_t i = 0; i < c.conv_dim.size(); ++i) {
    t = (t - c.conv_kernel[i]) / c.conv_stride[i] + 1;
    f += 2.0 * t * in * c.conv_dim[i] * c.conv_kernel[i];
    in = c.conv_dim[i];
  }
  const double d = c.hidden_size, ff = c.intermediate_size;
  f += 2.0 * t * in * d;                                                                              // projection
  f += 2.0 * t * d * (d / c.num_conv_pos_embedding_groups) * c.num_conv_pos_embeddings;              // pos conv
  f += c.num_hidden_layers * (2.0 * t * 4 * d * d + 2.0 * 2 * t * t * d + 2.0 * 2 * t * d * ff);   // layers
  return f;
}

double rel_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  speechleak::runtime::keep_tensor_memory_in_heap();  // as the program does (runtime/allocator.h)
  if (argc < 3) {
    std::cerr << "usage: encoder_bench MODEL_DIR AUDIO.safetensors [THREADS=2] [REPEATS=5] [TORCHAUDIO_OUT] [quick]\n"
                 "  quick: matmul rate and the fp32 forward pass only\n";
    return 2;
  }
  const fs::path model = argv[1], audio = argv[2];
  const int threads = argc > 3 ? std::stoi(argv[3]) : 2;
  const int repeats = argc > 4 ? std::stoi(argv[4]) : 5;
  const fs::path reference = argc > 5 ? fs::path(argv[5]) : fs::path();
  const bool quick = argc > 6 && std::string(argv[6]) == "quick";
  runtime::set_torch_threads(threads);

  nlohmann::json out;
  out["threads"] = threads;
  out["repeats"] = repeats;
  out["matmul_2048_fp32_gflops"] = matmul_gflops(2048, 5, at::kFloat);
  out["matmul_2048_bf16_gflops"] = matmul_gflops(2048, 3, at::kBFloat16);

  auto wave = encoder::load_tensors(audio).at("wave").unsqueeze(0).contiguous();
  auto lengths = at::full({1}, wave.size(1), at::kLong);
  const auto config = encoder::read_hf_config(model / "config.json");
  out["audio_seconds"] = wave.size(1) / 16000.0;
  out["gflop_per_forward"] = forward_flops(config, wave.size(1)) / 1e9;

  auto t0 = std::chrono::steady_clock::now();
  auto fp32 = encoder::load_encoder(model);
  out["load_seconds"] = seconds_since(t0);
  out["parameters"] = fp32->metadata().parameters;
  const int last = fp32->metadata().layers;
  encoder::EncoderOutput ref32;
  out["fp32_forward_seconds"] = best_seconds(repeats, [&] { ref32 = fp32->encode(wave, lengths, {last}); });
  out["fp32_gflops"] = out["gflop_per_forward"].get<double>() / out["fp32_forward_seconds"].get<double>();
  out["fp32_fraction_of_matmul"] = out["fp32_gflops"].get<double>() / out["matmul_2048_fp32_gflops"].get<double>();
  if (!reference.empty() && fs::exists(reference)) {
    auto ta = encoder::load_tensors(reference).at("final");
    out["fp32_rel_error_vs_torchaudio"] = rel_error(ref32.utterance(last, 0), ta[0]);
  }
  if (quick) {
    std::cout << out.dump(2) << std::endl;
    return 0;
  }
  out["fp32_all_states_seconds"] = best_seconds(repeats, [&] { fp32->encode(wave, lengths); });

  {
    encoder::EncoderOptions no_split;
    no_split.split_blas_threads = false;
    auto plain = encoder::load_encoder(model, no_split);
    out["fp32_no_thread_split_seconds"] = best_seconds(repeats, [&] { plain->encode(wave, lengths, {last}); });
  }

  encoder::EncoderOptions bf;
  bf.precision = "bf16";
  auto bf16 = encoder::load_encoder(model, bf);
  encoder::EncoderOutput out16;
  out["bf16_forward_seconds"] = best_seconds(repeats, [&] { out16 = bf16->encode(wave, lengths); });
  auto all32 = fp32->encode(wave, lengths);
  double worst = 0;
  for (int s = 0; s <= last; ++s) worst = std::max(worst, rel_error(out16.state(s), all32.state(s)));
  out["bf16_rel_error_final_state"] = rel_error(out16.state(last), all32.state(last));
  out["bf16_rel_error_worst_state"] = worst;
  out["bf16_speedup"] = out["fp32_all_states_seconds"].get<double>() / out["bf16_forward_seconds"].get<double>();
  std::cout << out.dump(2) << std::endl;
  return 0;
}
