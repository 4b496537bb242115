#include "speechleak/asr/ctc_model.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "speechleak/asr/ctc_decode.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/encoder/tensor_io.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"
#include "support/tiny_encoder.h"

namespace speechleak::asr {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::TempDir;

CtcModel random_model(const std::string& type) {
  at::manual_seed(11);
  CtcModel m(encoder::Wav2Vec2Model(testing::tiny_encoder_config(type)), Vocabulary::characters(), 0.05);
  for (auto& p : m->parameters()) {
    at::NoGradGuard no_grad;
    p.normal_(0, 0.2);
  }
  m->eval();
  return m;
}

json read_json(const fs::path& p) { return json::parse(read_text_file(p)); }

TEST(CtcModel, SavesHuggingFacesLayoutAndLoadsBackIdentically) {
  for (const std::string type : {"wav2vec2", "hubert"}) {
    TempDir dir;
    auto m = random_model(type);
    save_ctc_directory(m, dir.path(), true);
    const auto config = read_json(dir / "config.json");
    EXPECT_EQ(config.at("architectures")[0], type == "hubert" ? "HubertForCTC" : "Wav2Vec2ForCTC");
    EXPECT_EQ(config.at("vocab_size"), 30);
    EXPECT_EQ(config.at("pad_token_id"), 0);
    EXPECT_EQ(read_json(dir / "vocab.json").at("|"), 2);
    EXPECT_EQ(read_json(dir / "special_tokens_map.json").at("pad_token"), "[PAD]");
    EXPECT_EQ(read_json(dir / "tokenizer_config.json").at("word_delimiter_token"), "|");
    const auto tensors = encoder::load_tensors(dir / "model.safetensors");
    EXPECT_EQ(tensors.count("lm_head.weight"), 1u);
    EXPECT_EQ(tensors.count(type + ".encoder.layer_norm.weight"), 1u);
    EXPECT_TRUE(is_ctc_directory(dir.path()));

    auto loaded = load_ctc_directory(dir.path());
    EXPECT_TRUE(loaded.do_normalize);
    EXPECT_EQ(loaded.report.prefix, type + ".");
    loaded.model->eval();
    at::NoGradGuard no_grad;
    auto wave = at::randn({2, 6000});
    auto lengths = at::tensor(std::vector<int64_t>{6000, 4000});
    auto a = m->forward(wave, lengths), b = loaded.model->forward(wave, lengths);
    EXPECT_TRUE(at::equal(a.logits, b.logits)) << type;
    EXPECT_TRUE(at::equal(a.frame_lengths, b.frame_lengths));
    EXPECT_EQ(a.logits.size(2), 30);
    EXPECT_EQ(greedy_decode(a.logits[1].narrow(0, 0, a.frame_lengths[1].item<int64_t>()), 0),
              greedy_decode(b.logits[1].narrow(0, 0, b.frame_lengths[1].item<int64_t>()), 0));

    // The same directory is still an encoder: extraction and audits read it unchanged.
    auto enc = encoder::load_encoder(dir.path());
    EXPECT_EQ(enc->metadata().layers, 2);
  }
}

TEST(CtcModel, MalformedDirectoriesAreRefusedNamingTheFile) {
  TempDir dir;
  auto m = random_model("wav2vec2");
  save_ctc_directory(m, dir.path(), false);
  auto expect_refused = [&](const std::string& what) {
    try {
      load_ctc_directory(dir.path());
      ADD_FAILURE() << "accepted; expected: " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto vocab = read_json(dir / "vocab.json");
  auto small = vocab;
  small.erase("Z");
  testing::write_text(dir / "vocab.json", small.dump());
  expect_refused("holds 29 tokens; config.json's vocab_size is 30");
  testing::write_text(dir / "vocab.json", vocab.dump());

  auto tensors = encoder::load_tensors(dir / "model.safetensors");
  std::vector<std::pair<std::string, at::Tensor>> without_head;
  for (const auto& [k, t] : tensors)
    if (k != "lm_head.bias") without_head.emplace_back(k, t);
  encoder::save_tensors(dir / "model.safetensors", without_head, {});
  expect_refused("missing tensor 'lm_head.bias'");

  auto config = read_json(dir / "config.json");
  config["architectures"] = json::array({"Wav2Vec2Model"});
  testing::write_text(dir / "config.json", config.dump());
  EXPECT_FALSE(is_ctc_directory(dir.path()));
  expect_refused("not a CTC model");
}

}  // namespace
}  // namespace speechleak::asr
