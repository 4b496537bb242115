// Pretraining throughput benchmark (not a test): training steps of speechleak's trainer with the HuBERT, the
// wav2vec 2.0 or the TERA objective on random audio, with a breakdown of one step. Prints JSON. The Python twin
// (pretrain_bench.py) runs the same step with torchaudio.models.wav2vec2_model; bench/pretrain_bench.sh runs both
// and compares.
//
//   pretrain_bench ARCH BATCH SECONDS STEPS THREADS BLAS_THREADS [CONFIG_OUT [OBJECTIVE]]
//   e.g. pretrain_bench small 8 4 6 2 1 out/config.json wav2vec2
// CONFIG_OUT: where to write the resolved HF config.json of ARCH (the Python twin builds the same model from it).
// OBJECTIVE: hubert (default), wav2vec2 or tera, at its default settings (tera: the architecture on log-mel input).
#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "speechleak/runtime/allocator.h"
#include "speechleak/runtime/threads.h"
#include "speechleak/runtime/blas_threads.h"
#include "speechleak/train/presets.h"
#include "speechleak/train/trainer.h"

namespace {
using namespace speechleak;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Random "audio" and random targets: throughput does not depend on what is learnt.
train::TrainingSet random_set(const train::PretrainConfig& c, int n, double seconds) {
  train::TrainingSet set;
  const auto samples = static_cast<int64_t>(seconds * 16000);
  for (int i = 0; i < n; ++i) {
    train::TrainUtterance u;
    u.id = "u" + std::to_string(i);
    u.speaker_id = "s";
    u.audio = at::randn({samples}) * 0.1;
    u.labels = at::randint(c.hubert.kmeans.clusters, {c.model.frames_for(samples)}, at::kLong);
    set.utterances.push_back(u);
  }
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  speechleak::runtime::keep_tensor_memory_in_heap();  // as the program does (runtime/allocator.h)
  if (argc < 7) {
    std::fprintf(stderr, "usage: pretrain_bench ARCH BATCH SECONDS STEPS THREADS BLAS_THREADS [CONFIG_OUT "
                         "[OBJECTIVE]]\n");
    return 2;
  }
  const std::string arch = argv[1];
  const int batch = std::atoi(argv[2]), steps = std::atoi(argv[4]), threads = std::atoi(argv[5]);
  const double seconds = std::atof(argv[3]);
  const int blas = std::atoi(argv[6]);
  runtime::set_torch_threads(threads);
  at::manual_seed(0);
  train::PretrainConfig c;
  c.corpus = "bench";
  c.arch = arch;
  c.objective = argc > 8 ? argv[8] : "hubert";
  c.model = train::resolve_arch(arch, c.objective);
  c.data.batch_size = batch;
  c.data.max_seconds = seconds;
  c.data.normalization = "none";
  c.epochs = 1000;
  c.blas_threads = blas;
  if (argc > 7 && std::string(argv[7]) != "-") std::ofstream(argv[7]) << c.model.to_json().dump(2) << "\n";
  auto set = random_set(c, batch, seconds);
  train::Trainer trainer(c, set, c.hubert.kmeans.clusters);
  runtime::ScopedBlasThreads scoped(blas);
  auto order = train::epoch_batches(set.utterances.size(), batch, c.seed, 0);
  auto b = train::make_batch(set, order[0], 0, c);
  trainer.objective().prepare(b, 0);
  trainer.step(b, 0);  // warm-up
  double best = 1e30, total = 0;
  for (int s = 0; s < steps; ++s) {
    auto t0 = Clock::now();
    trainer.step(b, 0);
    const double dt = since(t0);
    best = std::min(best, dt);
    total += dt;
  }
  // Breakdown of one step: the front end's forward alone (conv extractor or log-mel), then the objective's whole forward and loss (extractor
  // included), backward, optimiser.
  auto& m = trainer.model();
  trainer.optimizer().zero_grad();
  auto t0 = Clock::now();
  m->extract(b.waveforms, b.lengths);
  const double t_extract = since(t0);
  t0 = Clock::now();
  auto out = trainer.objective().loss(m, b);
  const double t_forward = since(t0);
  t0 = Clock::now();
  out.loss.backward();
  const double t_backward = since(t0);
  t0 = Clock::now();
  trainer.optimizer().step();
  const double t_opt = since(t0);
  const double audio = b.audio_seconds;
  std::printf("{\"implementation\": \"speechleak\", \"objective\": \"%s\", \"arch\": \"%s\", \"parameters\": %lld, "
              "\"batch\": %d, \"seconds_per_utterance\": %.2f, \"threads\": %d, \"blas_threads\": %d, \"steps\": %d, "
              "\"best_step_seconds\": %.4f, \"mean_step_seconds\": %.4f, \"audio_seconds_per_second\": %.2f, "
              "\"breakdown_seconds\": {\"extractor_forward\": %.4f, \"forward_and_loss\": %.4f, "
              "\"backward\": %.4f, \"optimizer\": %.4f}}\n",
              c.objective.c_str(), arch.c_str(), static_cast<long long>(c.model.parameter_count()), batch, seconds,
              threads, blas, steps, best, total / steps, audio / best, t_extract, t_forward, t_backward, t_opt);
  return 0;
}
