// `speechleak finetune` as a library call: the run directory, the best-dev model, resume, refusals.
#include "speechleak/asr/finetune.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "speechleak/asr/transcribe.h"
#include "speechleak/corpus/load.h"
#include "speechleak/encoder/hf_loader.h"
#include "speechleak/train/model_init.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "support/test_support.h"
#include "support/tiny_encoder.h"
#include "train/train_test_util.h"

namespace speechleak::asr {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  testing::TempDir dir;
  std::string spec;
  fs::path pretrained;
  Fixture() {
    spec = train::test::write_tiny_corpus(dir / "corpus", 2, 3).spec;
    pretrained = dir / "pretrained";
    at::manual_seed(5);
    auto model = train::init_encoder_model(testing::tiny_encoder_config("wav2vec2"));
    encoder::save_hf_directory(model, pretrained, true);
  }
  FinetuneConfig config() const {
    FinetuneConfig c;
    c.pretrained = pretrained.string();
    c.corpus = spec;
    c.dev = spec;
    c.epochs = 3;
    c.data.batch_size = 2;  // 3 steps per epoch
    c.data.min_seconds = 0.1;
    c.optim.lr = 3e-3;
    c.seed = 11;
    return c;
  }
};

// Rows of a CSV without its wall-clock columns.
std::vector<std::string> without_seconds(const fs::path& csv, const std::string& column) {
  auto lines = read_lines(csv);
  const auto header = text::split(lines.at(0), ',');
  const auto col = std::find(header.begin(), header.end(), column) - header.begin();
  std::vector<std::string> out;
  for (const auto& l : lines) {
    auto f = text::split(l, ',');
    f.erase(f.begin() + col);
    out.push_back(text::join(f, ","));
  }
  return out;
}

TEST(Finetune, WritesAnHfCtcDirectoryHoldingTheBestDevModel) {
  Fixture fx;
  const auto out = fx.dir / "asr";
  std::vector<DevResult> seen;
  FinetuneOptions options;
  options.on_dev = [&](const DevResult& d) { seen.push_back(d); };
  const auto r = run_finetuning(fx.config(), out, options);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.position.step, 9);
  EXPECT_EQ(r.data.used, 6u);
  ASSERT_EQ(seen.size(), 3u);
  ASSERT_TRUE(r.best);
  for (const auto& d : seen) EXPECT_FALSE(better_dev_result(d, *r.best)) << "epoch " << d.epoch;
  for (const char* f : {"config.json", "model.safetensors", "preprocessor_config.json", "vocab.json",
                        "tokenizer_config.json", "special_tokens_map.json", "finetune_config.json",
                        "speechleak_finetuning.json", "train_log.csv", "dev_log.csv", "members.tsv"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  EXPECT_FALSE(fs::exists(out / "best")) << "folded into OUT at the end";
  EXPECT_EQ(fs::exists(out / "last"), r.best->epoch != 3);
  EXPECT_EQ(read_lines(out / "dev_log.csv").size(), 4u);
  EXPECT_EQ(read_lines(out / "train_log.csv").size(), 10u);
  EXPECT_TRUE(is_ctc_directory(out));

  // OUT holds the model the best row scored: transcribing the dev set with it gives that row's error counts.
  auto loaded = load_ctc_directory(out);
  EXPECT_TRUE(loaded.do_normalize) << "the pretrained model's normalisation is kept";
  const auto dev = corpus::load_corpus(corpus::CorpusSpec::parse(fx.spec));
  const auto t = transcribe_corpus(dev, loaded.model, loaded.do_normalize, {}, {});
  EXPECT_EQ(t.errors.overall.words.errors(), r.best->words.errors());
  EXPECT_EQ(t.errors.overall.characters.errors(), r.best->characters.errors());

  const auto meta = nlohmann::json::parse(read_text_file(out / "speechleak_finetuning.json"));
  EXPECT_EQ(meta["objective"]["name"], "ctc");
  EXPECT_EQ(meta["dev"]["evaluations"].size(), 3u);
  EXPECT_EQ(meta["dev"]["best"]["epoch"], r.best->epoch);
  EXPECT_EQ(meta["seeds"]["seed"], 11);
  EXPECT_TRUE(meta["versions"].contains("libtorch"));
  EXPECT_EQ(meta["pretrained"]["fingerprint"].get<std::string>().size(), 16u);
  const auto config = nlohmann::json::parse(read_text_file(out / "finetune_config.json"));
  EXPECT_EQ(FinetuneConfig::from_json(config, "finetune_config.json").to_json(), config);
  EXPECT_EQ(config["training"]["optim"]["decay"], "tri-stage");
}

TEST(Finetune, ResumeEqualsAnUninterruptedRun) {
  Fixture fx;
  const auto straight = fx.dir / "straight", split = fx.dir / "split";
  run_finetuning(fx.config(), straight);
  auto first = fx.config();
  first.max_steps = 4;  // stops inside epoch 2, after one dev evaluation
  const auto part = run_finetuning(first, split);
  EXPECT_FALSE(part.finished);
  FinetuneOptions resume;
  resume.resume = true;
  const auto r = run_finetuning(fx.config(), split, resume);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.dev.size(), 3u);
  EXPECT_EQ(read_text_file(straight / "model.safetensors"), read_text_file(split / "model.safetensors"));
  EXPECT_EQ(fs::exists(straight / "last"), fs::exists(split / "last"));
  EXPECT_EQ(without_seconds(straight / "train_log.csv", "seconds"), without_seconds(split / "train_log.csv", "seconds"));
  EXPECT_EQ(without_seconds(straight / "dev_log.csv", "seconds"), without_seconds(split / "dev_log.csv", "seconds"));
}

TEST(Finetune, RefusesAnotherRunDifferentOptionsAndATorchScriptModel) {
  Fixture fx;
  const auto out = fx.dir / "asr";
  auto c = fx.config();
  c.epochs = 1;
  run_finetuning(c, out);
  EXPECT_THROW(run_finetuning(c, out), Error);
  auto other = c;
  other.optim.lr = 1e-4;
  FinetuneOptions resume;
  resume.resume = true;
  try {
    run_finetuning(other, out, resume);
    ADD_FAILURE() << "resumed with another learning rate";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("training.optim.lr"), std::string::npos) << e.what();
  }
  auto ts = c;
  testing::write_text(fx.dir / "model.pt", "PK");
  ts.pretrained = (fx.dir / "model.pt").string();
  EXPECT_THROW(run_finetuning(ts, fx.dir / "asr2"), Error);
  auto missing = c;
  missing.pretrained = (fx.dir / "nothing").string();
  EXPECT_THROW(run_finetuning(missing, fx.dir / "asr3"), Error);
}

}  // namespace
}  // namespace speechleak::asr
