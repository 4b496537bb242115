// The training loop is objective-independent: a probe objective with its own head, columns and no labels trains,
// logs and checkpoints through the same Trainer as HuBERT.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>

#include "speechleak/encoder/tensor_io.h"
#include "speechleak/train/encoder_forward.h"
#include "speechleak/train/trainer.h"
#include "speechleak/util/error.h"
#include "speechleak/util/text.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

// Drives the last hidden state's projection to zero: needs no targets.
class ProbeObjective : public Objective {
 public:
  std::string name() const override { return "probe"; }
  void build(const encoder::Wav2Vec2Config& model) override {
    probe_ = torch::nn::Linear(model.hidden_size, 1);
    built_ = true;
  }
  std::vector<NamedModule> heads() const override { return {{"probe", probe_.ptr()}}; }
  LabelLayout label_layout() const override { return LabelLayout::Frames; }
  void prepare(Batch& batch, int) const override { ++prepared_; }
  ObjectiveLoss loss(encoder::Wav2Vec2Model& model, const Batch& b) override {
    auto h = masked_forward(model, b.waveforms, b.lengths, {}, 1.0);
    auto out = probe_->forward(h).pow(2).mean();
    return {out, {out.item<double>()}, {b.frame_lengths.sum().item<int64_t>()}, 1.0, {}};
  }
  std::vector<std::string> metric_columns() const override { return {"probe_mean"}; }
  std::vector<std::string> count_columns() const override { return {"frames"}; }
  nlohmann::json metadata() const override { return {{"objective", {{"name", "probe"}}}}; }

  bool built_ = false;
  mutable int prepared_ = 0;

 private:
  torch::nn::Linear probe_{nullptr};
};

TEST(TrainingLoop, RunsAnyObjectiveWithItsColumnsAndHeads) {
  auto c = test::tiny_config();
  c.epochs = 2;
  TrainingSet set;
  for (int i = 0; i < 4; ++i) {
    TrainUtterance u;
    u.id = "u" + std::to_string(i);
    u.speaker_id = "s";
    u.audio = at::tensor(test::speechish(0.8, 40 + i), at::kFloat);
    set.utterances.push_back(u);
  }
  auto owned = std::make_unique<ProbeObjective>();
  auto* probe = owned.get();
  const TrainingConfig& loop = c;
  Trainer t(loop, set, std::move(owned));
  EXPECT_TRUE(probe->built_);
  EXPECT_EQ(train_log_header(t.objective()), "step,epoch,loss,probe_mean,lr,grad_norm,seconds,audio_seconds,frames\n");
  std::vector<StepLog> logs;
  TrainerHooks hooks;
  hooks.on_step = [&](const StepLog& s) { logs.push_back(s); };
  testing::TempDir dir;
  t.run(dir.path(), hooks);
  ASSERT_EQ(logs.size(), 4u);  // 2 batches of 3 and 1, twice
  EXPECT_EQ(probe->prepared_, 4);
  EXPECT_LT(logs.back().loss, logs.front().loss);
  EXPECT_EQ(logs[0].metric("probe_mean"), logs[0].loss);
  EXPECT_THROW(logs[0].metric("masked_accuracy"), InvalidArgument);
  const auto row = text::split(to_csv_row(logs[0]), ',');
  EXPECT_EQ(row.size(), 9u);
  EXPECT_EQ(std::stoll(row.back()), logs[0].counts[0].second);
  auto weights = encoder::load_tensors(*latest_checkpoint(dir.path()) / "weights.safetensors");
  EXPECT_EQ(weights.count("probe.weight"), 1u);
  EXPECT_EQ(weights.count("model.masked_spec_embed"), 1u);
  EXPECT_EQ(t.head_parameters().size(), 2u);
}

}  // namespace
}  // namespace speechleak::train
