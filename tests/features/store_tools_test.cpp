// store verify and store merge over stores written part by part, sound and broken.
#include "speechleak/features/store_tools.h"

#include <gtest/gtest.h>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::features {
namespace {
namespace fs = std::filesystem;
using speechleak::testing::TempDir;

StoreManifest manifest(int width = 4) {
  StoreManifest m;
  m.model_fingerprint = "abc123";
  m.layers = {12};
  m.preprocessing = "16 kHz mono";
  m.corpus_spec = "manifest:/x.tsv";
  m.model_description = "width " + std::to_string(width);
  return m;
}

// Utterance i's record: a [width] float64 mean of layer `layer`.
void write_record(StoreWriter& w, int i, int width = 4, int layer = 12) {
  std::vector<double> mean;
  for (int k = 0; k < width; ++k) mean.push_back(i + k * 0.5);
  const auto bytes = std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(mean.data()),
                                                    mean.size() * sizeof(double));
  w.append("utt-" + std::to_string(100 + i), {{std::to_string(layer) + "/mean", {DType::F64, {width}, bytes}}},
           {{"speaker_id", "spk" + std::to_string(i % 2)}});
}

// Utterances [first, last) into part `index` of `count`.
void write_part(const fs::path& dir, int index, int count, int first, int last) {
  StoreWriter w(dir, manifest(), part_name(index, count));
  for (int i = first; i < last; ++i) write_record(w, i);
}

bool has_problem(const StoreCheck& c, const std::string& what) {
  for (const auto& p : c.problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

std::string problems(const StoreCheck& c) {
  std::string s;
  for (const auto& p : c.problems) s += p + "\n";
  return s;
}

TEST(StoreVerify, ASoundStoreOfThreePartsIsOk) {
  TempDir dir;
  write_part(dir.path(), 0, 3, 0, 4);
  write_part(dir.path(), 1, 3, 4, 6);
  write_part(dir.path(), 2, 3, 6, 7);
  const auto c = verify_store(dir.path());
  EXPECT_TRUE(c.ok()) << problems(c);
  ASSERT_EQ(c.parts.size(), 3u);
  EXPECT_EQ(c.parts[0].part, "0-of-3");
  EXPECT_EQ(c.parts[0].records, 4u);
  EXPECT_EQ(c.parts[2].records, 1u);
  EXPECT_EQ(c.records, 7u);
  EXPECT_EQ(c.bytes_read, 7u * 4 * 8);
}

TEST(StoreVerify, AMissingPartIsNamedWithTheCommandThatMakesIt) {
  TempDir dir;
  write_part(dir.path(), 0, 3, 0, 2);
  write_part(dir.path(), 2, 3, 4, 6);
  const auto c = verify_store(dir.path());
  EXPECT_TRUE(has_problem(c, "part 1-of-3 is missing")) << problems(c);
  EXPECT_TRUE(has_problem(c, "--shard 1/3")) << problems(c);
}

TEST(StoreVerify, TornAndDamagedPartsAreNamed) {
  TempDir dir;
  write_part(dir.path(), 0, 2, 0, 3);
  write_part(dir.path(), 1, 2, 3, 6);
  // Part 0: an interrupted writer's half line. Part 1: its data file cut short.
  AppendFile(dir.path() / "index-0-of-2.jsonl").write("{\"utt\":\"utt-9");
  fs::resize_file(dir.path() / "data-1-of-2-0.bin", 40);
  const auto c = verify_store(dir.path());
  EXPECT_TRUE(has_problem(c, "index-0-of-2.jsonl: its last line is torn")) << problems(c);
  EXPECT_TRUE(has_problem(c, "index-1-of-2.jsonl")) << problems(c);
  EXPECT_TRUE(has_problem(c, "past the end of its data file")) << problems(c);
  EXPECT_EQ(c.parts[0].records, 3u);
  EXPECT_EQ(c.parts[0].torn, 1u);
}

TEST(StoreVerify, DuplicateUtterancesAndMixedShardCountsAreNamed) {
  TempDir dir;
  write_part(dir.path(), 0, 2, 0, 3);
  write_part(dir.path(), 1, 2, 2, 5);  // utt-102 again
  write_part(dir.path(), 0, 4, 5, 6);
  const auto c = verify_store(dir.path());
  EXPECT_TRUE(has_problem(c, "utterance 'utt-102' is in parts 0-of-2 and 1-of-2")) << problems(c);
  EXPECT_TRUE(has_problem(c, "different shard counts (2, 4)")) << problems(c);
}

TEST(StoreVerify, APartOfAnotherConfigurationIsNamed) {
  TempDir dir;
  write_part(dir.path(), 0, 2, 0, 3);
  {
    StoreWriter w(dir.path(), manifest(), part_name(1, 2));
    write_record(w, 3, /*width=*/8);            // another model's width
    write_record(w, 4, /*width=*/4, /*layer=*/6);  // a layer this store does not keep
  }
  const auto c = verify_store(dir.path());
  EXPECT_TRUE(has_problem(c, "part 1-of-2, utterance 'utt-103': arrays 12/mean (float64 rank 1 width 8)"))
      << problems(c);
  EXPECT_TRUE(has_problem(c, "array 6/mean is of a layer store.json does not list")) << problems(c);
}

TEST(StoreVerify, NoStoreJsonThrowsNamingIt) {
  TempDir dir;
  EXPECT_THROW(verify_store(dir.path()), FileError);
}

TEST(StoreMerge, CopiesEveryRecordIntoOneStoreAndResumes) {
  TempDir dir;
  write_part(dir / "a", 0, 2, 0, 3);
  write_part(dir / "a", 1, 2, 3, 5);
  write_part(dir / "b", 0, 1, 5, 8);
  const auto r = merge_stores({dir / "a", dir / "b"}, dir / "m");
  EXPECT_EQ(r.inputs, 2u);
  EXPECT_EQ(r.copied, 8u);
  StoreReader merged(dir / "m");
  ASSERT_EQ(merged.records().size(), 8u);
  StoreReader a(dir / "a");
  const auto* rec = merged.find("utt-104");
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(merged.read_f64(rec->arrays.at("12/mean")), a.read_f64(a.find("utt-104")->arrays.at("12/mean")));
  EXPECT_EQ(rec->meta.at("speaker_id"), "spk0");
  EXPECT_TRUE(verify_store(dir / "m").ok());
  const auto again = merge_stores({dir / "a", dir / "b"}, dir / "m");  // a rerun finds everything done
  EXPECT_EQ(again.copied, 0u);
  EXPECT_EQ(again.already, 8u);
}

TEST(StoreMerge, RefusesOverlapsAndOtherConfigurationsBeforeWriting) {
  TempDir dir;
  write_part(dir / "a", 0, 1, 0, 3);
  write_part(dir / "b", 0, 1, 2, 4);
  try {
    merge_stores({dir / "a", dir / "b"}, dir / "m");
    ADD_FAILURE() << "an utterance in two stores was merged";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("utterance 'utt-102' is also in"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "m"));
  {
    auto other = manifest();
    other.layers = {6};
    StoreWriter w(dir / "c", other, part_name(0, 1));
    write_record(w, 9, 4, 6);
  }
  try {
    merge_stores({dir / "a", dir / "c"}, dir / "m");
    ADD_FAILURE() << "stores of two configurations were merged";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("layers"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "m"));
}

}  // namespace
}  // namespace speechleak::features
