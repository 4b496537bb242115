#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "speechleak/attack/basic_scores.h"
#include "speechleak/corpus/load.h"
#include "speechleak/encoder/encoder.h"
#include "speechleak/features/extract.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::features {
namespace {
namespace fs = std::filesystem;
using speechleak::testing::TempDir;

const fs::path kModel = fs::path(SPEECHLEAK_SOURCE_DIR) / "tests/fixtures/encoder/a_hubert_group";

// 3 speakers x 5 utterances of distinct tones and lengths, plus one corrupt file with a transcript.
corpus::Corpus make_corpus(const fs::path& root) {
  for (int spk = 1; spk <= 3; ++spk) {
    std::string trans;
    for (int u = 0; u < 5; ++u) {
      const std::string id = std::to_string(spk) + "-7-000" + std::to_string(u);
      testing::write_tone(root / "train" / std::to_string(spk) / "7" / (id + ".flac"), 0.3 + 0.1 * ((spk + u) % 4), 16000,
                          200.0 + 50 * spk + 13 * u);
      trans += id + " WORD\n";
    }
    if (spk == 2) {
      testing::write_text(root / "train/2/7/2-7-0009.flac", "this is not audio at all, but long enough to look like it");
      trans += "2-7-0009 BROKEN\n";
    }
    testing::write_text(root / "train" / std::to_string(spk) / "7" / (std::to_string(spk) + "-7.trans.txt"), trans);
  }
  return corpus::load_corpus(corpus::CorpusSpec::parse("librispeech:" + root.string() + ":train"));
}

ExtractConfig small_config() {
  ExtractConfig c;
  c.frames = true;
  c.window = 4;
  c.max_batch_size = 3;
  return c;
}

std::map<std::string, std::string> files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename()] = read_text_file(e.path());
  return out;
}

struct Interrupted : std::exception {};

// The stored summary gives the same cosine score as the frames, silent (all-zero) frames included.
TEST(Extract, StoredSummaryGivesTheDirectCosineScore) {
  at::manual_seed(4);
  auto frames = at::randn({12, 6});
  frames[3].zero_();
  std::vector<at::Tensor> keep;
  std::map<std::string, ArrayData> arrays;
  add_state_arrays(2, frames, ExtractConfig{}, keep, arrays);
  ASSERT_TRUE(arrays.count("2/unit_count"));
  auto read = [&](const std::string& name) {
    const auto& a = arrays.at(name);
    const auto n = static_cast<int64_t>(a.bytes.size() / sizeof(double));
    return at::from_blob(const_cast<unsigned char*>(a.bytes.data()), {n}, at::kDouble).clone();
  };
  EXPECT_EQ(read("2/unit_count").item<double>(), 11.0);
  EXPECT_NEAR(attack::utterance_cosine_distance_from_summary(12, read("2/unit_sum"), read("2/unit_count").item<double>()),
              attack::utterance_cosine_distance(frames), 1e-12);
}

TEST(Extract, SkipsAndCountsCorruptAudio) {
  TempDir dir;
  auto corpus = make_corpus(dir / "LS");
  auto enc = encoder::load_encoder(kModel);
  auto report = extract_features(corpus, *enc, dir / "store", small_config());
  EXPECT_EQ(report.total, 16u);
  EXPECT_EQ(report.extracted, 15u);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped.items[0].id, "2-7-0009");
  EXPECT_EQ(report.summary(), "15 of 16 utterances in the store; 1 skipped (1 unreadable)");
  EXPECT_NE(report.skipped.items[0].where.find("2-7-0009.flac"), std::string::npos);
  StoreReader r(dir / "store");
  ASSERT_EQ(r.records().size(), 15u);
  const auto* rec = r.find("3-7-0004");
  ASSERT_NE(rec, nullptr);
  const auto& frames = rec->arrays.at("2/frames");
  EXPECT_EQ(frames.dtype, DType::F16);
  EXPECT_EQ(frames.shape.at(1), enc->metadata().width);
  EXPECT_EQ(std::to_string(frames.shape.at(0)), rec->meta.at("frames"));
}

// Interrupting the job after every possible number of batches and running it again gives the bytes of an
// uninterrupted run.
TEST(Extract, ResumeAfterInterruptionsGivesAnIdenticalStore) {
  TempDir dir;
  auto corpus = make_corpus(dir / "LS");
  auto enc = encoder::load_encoder(kModel);
  extract_features(corpus, *enc, dir / "reference", small_config());
  const auto reference = files(dir / "reference");
  for (int stop_after : {1, 2, 4, 6}) {
    const auto store = dir / ("store" + std::to_string(stop_after));
    int batches = 0;
    EXPECT_THROW(extract_features(corpus, *enc, store, small_config(),
                                  [&](const Progress&) {
                                    if (++batches == stop_after) throw Interrupted();
                                  }),
                 Interrupted);
    auto report = extract_features(corpus, *enc, store, small_config());
    EXPECT_GT(report.already_done, 0u);
    EXPECT_EQ(report.already_done + report.extracted, 15u);
    EXPECT_EQ(files(store), reference) << "interrupted after " << stop_after << " batches";
  }
}

TEST(Extract, ShardsCombineIntoTheSingleRunResult) {
  TempDir dir;
  auto corpus = make_corpus(dir / "LS");
  auto enc = encoder::load_encoder(kModel);
  extract_features(corpus, *enc, dir / "single", small_config());
  for (int s = 0; s < 3; ++s) {
    auto c = small_config();
    c.shard_index = s;
    c.shard_count = 3;
    extract_features(corpus, *enc, dir / "sharded", c);
  }
  StoreReader a(dir / "single"), b(dir / "sharded");
  ASSERT_EQ(a.records().size(), b.records().size());
  for (size_t i = 0; i < a.records().size(); ++i) {
    ASSERT_EQ(a.records()[i].utt_id, b.records()[i].utt_id);
    // Batches differ between the runs, so values agree to float precision rather than bitwise.
    auto x = a.read_f64(a.records()[i].arrays.at("2/mean")), y = b.read_f64(b.records()[i].arrays.at("2/mean"));
    for (size_t k = 0; k < x.size(); ++k) ASSERT_NEAR(x[k], y[k], 1e-5 * (1 + std::abs(x[k])));
  }
}

TEST(Extract, RefusesAStoreMadeDifferently) {
  TempDir dir;
  auto corpus = make_corpus(dir / "LS");
  auto enc = encoder::load_encoder(kModel);
  extract_features(corpus, *enc, dir / "store", small_config());
  auto c = small_config();
  c.layers = {1};
  EXPECT_THROW(extract_features(corpus, *enc, dir / "store", c), FormatError);
  c = small_config();
  c.frames = false;
  EXPECT_THROW(extract_features(corpus, *enc, dir / "store", c), FormatError);
  c.shard_count = 0;
  EXPECT_THROW(extract_features(corpus, *enc, dir / "other", c), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::features
