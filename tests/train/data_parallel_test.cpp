// Data-parallel training (data_parallel.h): N processes take the steps one process takes. The processes are
// threads here, each with its own trainer and process group over 127.0.0.1; tests/cli/launch_cli_test.cpp runs
// real processes through `speechleak launch`.
#include "speechleak/train/data_parallel.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "speechleak/runtime/process_group.h"
#include "speechleak/train/trainer.h"
#include "speechleak/util/error.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

using namespace std::chrono_literals;
using test::speechish;
using test::tiny_config;

TEST(DataParallel, RankSlicesCoverTheBatchInOrder) {
  const std::vector<int64_t> batch{9, 4, 7, 1, 3};
  EXPECT_EQ(rank_slice(batch, 0, 1), batch);
  EXPECT_EQ(rank_slice(batch, 0, 2), (std::vector<int64_t>{9, 4}));
  EXPECT_EQ(rank_slice(batch, 1, 2), (std::vector<int64_t>{7, 1, 3}));
  EXPECT_EQ(rank_slice(batch, 0, 3), (std::vector<int64_t>{9}));
  EXPECT_EQ(rank_slice(batch, 2, 3), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(rank_slice({5}, 0, 2).empty());  // fewer utterances than processes: an empty slice
  EXPECT_EQ(rank_slice({5}, 1, 2), (std::vector<int64_t>{5}));
  EXPECT_THROW(rank_slice(batch, 2, 2), InvalidArgument);
}

TrainingSet tiny_set(const PretrainConfig& c, int n) {
  TrainingSet set;
  std::vector<at::Tensor> waves;
  for (int i = 0; i < n; ++i) {
    TrainUtterance u;
    u.id = "u" + std::to_string(i);
    u.speaker_id = "s" + std::to_string(i % 2);
    u.audio = at::tensor(speechish(0.8 + 0.1 * (i % 4), 300 + i), at::kFloat);  // lengths differ: padding differs
    set.utterances.push_back(u);
    waves.push_back(u.audio);
  }
  attach_labels(set, fit_targets(waves, {}, c.hubert.mfcc, c.hubert.kmeans, 3));
  return set;
}


struct Run {
  std::vector<StepLog> steps;
  std::vector<at::Tensor> weights;
};

Run finish(Trainer& t, const std::filesystem::path& out = {}) {
  Run r;
  TrainerHooks hooks;
  hooks.on_step = [&](const StepLog& s) { r.steps.push_back(s); };
  t.run(out, hooks);
  for (const auto& [name, m] : t.modules())
    for (const auto& p : m->parameters()) r.weights.push_back(p.detach().clone());
  return r;
}

// Trains `world` ranks on threads; returns rank 0's run (every rank's weights are checked to agree).
Run train_ranks(const PretrainConfig& c, const TrainingSet& set, int world) {
  std::vector<std::unique_ptr<Trainer>> trainers;  // built one after another: initialisation draws from torch's RNG
  for (int r = 0; r < world; ++r) trainers.push_back(std::make_unique<Trainer>(c, set, 8));
  // A rank's initial weights must not matter: rank 0's are broadcast.
  {
    at::NoGradGuard no_grad;
    for (int r = 1; r < world; ++r)
      for (auto& p : trainers[static_cast<size_t>(r)]->model()->parameters()) p.add_(0.5);
  }
  const int port = runtime::free_local_port();
  std::vector<std::future<Run>> runs;
  for (int r = 0; r < world; ++r)
    runs.push_back(std::async(std::launch::async, [&, r] {
      runtime::DistributedEnv env;
      env.rank = r, env.world_size = world, env.master_port = port, env.launcher = "test";
      auto& t = *trainers[static_cast<size_t>(r)];
      t.distribute(runtime::ProcessGroup::join(env, 30s));
      return finish(t);
    }));
  std::vector<Run> out;
  for (auto& f : runs) out.push_back(f.get());
  for (size_t r = 1; r < out.size(); ++r)
    for (size_t i = 0; i < out[0].weights.size(); ++i)
      EXPECT_TRUE(at::equal(out[r].weights[i], out[0].weights[i])) << "rank " << r << " tensor " << i;
  return out[0];
}

void expect_same_training(const Run& one, const Run& many, double tolerance) {
  ASSERT_EQ(one.steps.size(), many.steps.size());
  for (size_t s = 0; s < one.steps.size(); ++s) {
    EXPECT_NEAR(one.steps[s].loss, many.steps[s].loss, tolerance) << "step " << s + 1;
    for (size_t m = 0; m < one.steps[s].metrics.size(); ++m)
      EXPECT_NEAR(one.steps[s].metrics[m].second, many.steps[s].metrics[m].second, tolerance)
          << one.steps[s].metrics[m].first << " at step " << s + 1;
    EXPECT_EQ(one.steps[s].counts, many.steps[s].counts) << "step " << s + 1;
    EXPECT_NEAR(one.steps[s].audio_seconds, many.steps[s].audio_seconds, 1e-6);
  }
  double worst = 0;
  for (size_t i = 0; i < one.weights.size(); ++i)
    worst = std::max(worst, (one.weights[i] - many.weights[i]).abs().max().item<double>());
  EXPECT_LT(worst, tolerance) << "largest weight difference after " << one.steps.size() << " steps";
}

TEST(DataParallel, TwoAndThreeProcessesTakeTheStepsOfOne) {
  auto c = tiny_config();
  c.epochs = 2;
  c.data.batch_size = 4;  // 7 utterances: batches of 4 and 3
  const auto set = tiny_set(c, 7);
  Trainer single(c, set, 8);
  const auto one = finish(single);
  expect_same_training(one, train_ranks(c, set, 2), 1e-5);
  expect_same_training(one, train_ranks(c, set, 3), 1e-5);
}

TEST(DataParallel, ARankWithAnEmptySliceStillTakesTheStep) {
  auto c = tiny_config();
  c.epochs = 1;
  c.data.batch_size = 2;  // 5 utterances: the last batch has one, so one of two ranks has none
  const auto set = tiny_set(c, 5);
  Trainer single(c, set, 8);
  const auto one = finish(single);
  expect_same_training(one, train_ranks(c, set, 3), 1e-5);  // with 3 ranks one is always idle
}

TEST(DataParallel, TeraTakesTheStepsOfOneToo) {
  // TERA weights its ranks by altered values, and its alterations are drawn per utterance, not per slice.
  auto c = tiny_config();
  c.objective = "tera";
  c.model.model_type = "tera";
  c.model.layer_norm_eps = 1e-12;
  c.model.feat_proj_layer_norm = false;
  c.epochs = 1;
  c.data.batch_size = 4;
  const auto set = tiny_set(c, 7);
  Trainer single(c, set, 8);
  const auto one = finish(single);
  expect_same_training(one, train_ranks(c, set, 2), 1e-5);
}

}  // namespace
}  // namespace speechleak::train
