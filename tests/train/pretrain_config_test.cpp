// pretrain_config.json: format 2 (training loop and objective apart) round-trips; format 1 is migrated.
#include "speechleak/train/pretrain_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "speechleak/train/pretrain.h"
#include "speechleak/util/error.h"
#include "train/train_test_util.h"

namespace speechleak::train {
namespace {

using json = nlohmann::json;

PretrainConfig sample() {
  auto c = test::tiny_config();
  c.corpus = "librispeech:/data/LS:train-clean-100";
  c.epochs = 7;
  c.max_steps = 5;
  c.hubert.kmeans.clusters = 9;
  c.hubert.masking.span = 4;
  c.defenses.silence_names = true;
  return c;
}

// What speechleak 0.1 wrote: loop and HuBERT settings side by side at the top level.
json format_one(const json& v2) {
  json v1 = {{"corpus", v2["corpus"]}, {"arch", v2["arch"]}, {"model", v2["model"]},
             {"objective", v2["objective"]["name"]}, {"defenses", v2["defenses"]}};
  for (const auto& [k, v] : v2["training"].items()) v1[k] = v;
  for (const char* k : {"mfcc", "kmeans", "masking", "head"}) v1[k] = v2["objective"][k];
  return v1;
}

TEST(PretrainConfig, FormatTwoSeparatesTheLoopFromTheObjective) {
  const auto c = sample();
  const auto j = c.to_json();
  EXPECT_EQ(j.at("format_version"), 2);
  EXPECT_EQ(j.at("training").at("epochs"), 7);
  EXPECT_EQ(j.at("training").at("optim").at("lr"), c.optim.lr);
  EXPECT_EQ(j.at("objective").at("name"), "hubert");
  EXPECT_EQ(j.at("objective").at("kmeans").at("clusters"), 9);
  EXPECT_TRUE(j.at("defenses").at("silence_names").get<bool>());
  EXPECT_FALSE(j.contains("epochs"));
  bool migrated = true;
  const auto back = PretrainConfig::from_json(j, "mem", &migrated);
  EXPECT_FALSE(migrated);
  EXPECT_EQ(back.to_json(), j);
}

TEST(PretrainConfig, FormatOneIsMigratedAndCompares) {
  const auto v2 = sample().to_json();
  const auto v1 = format_one(v2);
  bool migrated = false;
  const auto back = PretrainConfig::from_json(v1, "old/pretrain_config.json", &migrated);
  EXPECT_TRUE(migrated);
  EXPECT_EQ(back.to_json(), v2);
  EXPECT_EQ(migrate_pretrain_config(v1), v2);
  // --resume of an old run compares the migrated file: nothing differs, and a changed field is named by its new path.
  EXPECT_TRUE(config_differences(v1, v2).empty());
  auto other = v1;
  other["seed"] = 99;
  other["max_steps"] = 50;  // free on resume
  EXPECT_EQ(config_differences(other, v2), (std::vector<std::string>{"training.seed"}));
}

TEST(PretrainConfig, AnUnknownFormatVersionIsRefusedNamingIt) {
  auto j = sample().to_json();
  j["format_version"] = 3;
  try {
    PretrainConfig::from_json(j, "new/pretrain_config.json");
    FAIL() << "format_version 3 was accepted";
  } catch (const FormatError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("new/pretrain_config.json"), std::string::npos) << m;
    EXPECT_NE(m.find("format_version 3"), std::string::npos) << m;
  }
}

TEST(PretrainConfig, TheWav2Vec2ObjectiveKeepsItsOwnSectionAndDefaults) {
  auto c = sample();
  c.objective = "wav2vec2";
  c.model = testing::tiny_encoder_config("wav2vec2");
  c.wav2vec2.quantizer.entries = 40;
  c.wav2vec2.loss.negatives = 20;
  const auto j = c.to_json();
  const auto& o = j.at("objective");
  EXPECT_EQ(o.at("name"), "wav2vec2");
  EXPECT_FALSE(o.contains("kmeans"));
  EXPECT_EQ(o.at("quantizer").at("entries"), 40);
  EXPECT_EQ(o.at("loss").at("negatives"), 20);
  EXPECT_DOUBLE_EQ(o.at("masking").at("prob").get<double>(), 0.065);  // wav2vec 2.0's, not HuBERT's
  const auto back = PretrainConfig::from_json(j, "mem");
  EXPECT_EQ(back.to_json(), j);
  // A section missing a field takes this objective's default.
  auto partial = j;
  partial["objective"]["masking"].erase("prob");
  EXPECT_DOUBLE_EQ(PretrainConfig::from_json(partial, "mem").wav2vec2.masking.prob, 0.065);
  EXPECT_DOUBLE_EQ(c.masking().prob, 0.065);
  c.masking().span = 7;
  EXPECT_EQ(c.wav2vec2.masking.span, 7);
  EXPECT_EQ(c.hubert.masking.span, 4);

  c.wav2vec2.quantizer.codevector_dim = 33;  // not a multiple of 2 groups
  auto refusal = [](const PretrainConfig& bad) {
    try {
      bad.validate();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal(c).find("quantizer.codevector_dim"), std::string::npos) << refusal(c);
  c.wav2vec2.quantizer.codevector_dim = 0;
  c.objective = "cpc";
  EXPECT_NE(refusal(c).find("--objective"), std::string::npos) << refusal(c);
}

}  // namespace
}  // namespace speechleak::train
