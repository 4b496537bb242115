#include "speechleak/asr/vocabulary.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "speechleak/util/error.h"

namespace speechleak::asr {
namespace {

using json = nlohmann::json;

TEST(Vocabulary, CharactersEncodeNormalisedWordsWithTheDelimiter) {
  const auto v = Vocabulary::characters();
  EXPECT_EQ(v.size(), 30);
  EXPECT_EQ(v.token(v.blank()), "[PAD]");
  EXPECT_EQ(v.token(v.unk()), "[UNK]");
  EXPECT_EQ(v.token(v.delimiter()), "|");
  const auto e = v.encode("Hi, well-known!");  // HI | WELL | KNOWN
  std::string spelled;
  for (auto id : e.ids) spelled += v.token(id);
  EXPECT_EQ(spelled, "HI|WELL|KNOWN");
  EXPECT_EQ(e.unknown_characters, 0u);
  EXPECT_EQ(v.decode(e.ids), "HI WELL KNOWN");
}

TEST(Vocabulary, CharactersOutsideAreCountedAndMappedOrSkipped) {
  const auto v = Vocabulary::characters();
  const auto mapped = v.encode("R2D2 caf\xc3\xa9");  // digits and UTF-8 bytes are not in the vocabulary
  EXPECT_EQ(mapped.unknown_characters, 4u);
  std::string spelled;
  for (auto id : mapped.ids) spelled += v.token(id);
  EXPECT_EQ(spelled, "R[UNK]D[UNK]|CAF[UNK][UNK]");
  const auto skipped = v.encode("R2D2 caf\xc3\xa9", OovPolicy::Skip);
  EXPECT_EQ(skipped.unknown_characters, 4u);
  EXPECT_EQ(v.decode(skipped.ids), "RD CAF");
  EXPECT_EQ(v.decode(mapped.ids), "RD CAF");  // [UNK] is not text
  EXPECT_TRUE(v.encode("").ids.empty());
  EXPECT_THROW(parse_oov_policy("drop"), InvalidArgument);
}

TEST(Vocabulary, HuggingFaceSpellingsLoadAndBadFilesAreRefused) {
  const json hf = {{"<pad>", 0}, {"<s>", 1}, {"</s>", 2}, {"<unk>", 3}, {"|", 4}, {"E", 5}, {"'", 6}};
  const auto v = Vocabulary::from_json(hf, "vocab.json");
  EXPECT_EQ(v.blank(), 0);
  EXPECT_EQ(v.unk(), 3);
  EXPECT_EQ(v.delimiter(), 4);
  EXPECT_EQ(v.decode({1, 5, 4, 4, 5, 6, 2}), "E E'");  // <s>, </s> dropped; delimiters collapse
  EXPECT_EQ(Vocabulary::from_json(v.to_json(), "again").to_json(), hf);
  auto expect_refused = [](const json& j, const std::string& what) {
    try {
      Vocabulary::from_json(j, "bad/vocab.json");
      ADD_FAILURE() << j.dump();
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad/vocab.json"), std::string::npos) << e.what();
    }
  };
  expect_refused({{"A", 0}, {"B", 1}}, "no CTC blank");
  expect_refused({{"[PAD]", 0}, {"A", 2}}, "expected ids 0..1");
  expect_refused({{"[PAD]", 0}, {"A", 0}}, "given twice");
  expect_refused({{"[PAD]", "zero"}}, "integer id");
  EXPECT_THROW(Vocabulary::from_json(json::array(), "x"), FormatError);
  const auto no_unk = Vocabulary::from_json({{"[PAD]", 0}, {"|", 1}, {"A", 2}}, "x");
  EXPECT_THROW(no_unk.encode("AB"), InvalidArgument);
  EXPECT_EQ(no_unk.encode("AB", OovPolicy::Skip).ids, (std::vector<int64_t>{2}));
}

}  // namespace
}  // namespace speechleak::asr
