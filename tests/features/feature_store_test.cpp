#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "speechleak/features/feature_store.h"
#include "speechleak/features/half.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"

namespace speechleak::features {
namespace {
namespace fs = std::filesystem;
using speechleak::testing::TempDir;

StoreManifest manifest() {
  StoreManifest m;
  m.model_fingerprint = "abc123";
  m.layers = {3, 12};
  m.preprocessing = "16 kHz mono";
  m.corpus_spec = "manifest:/x.tsv";
  m.frames = true;
  return m;
}

// Deterministic content for utterance i: a [2 + i % 3, 4] float32 array and a [4] float64 one.
struct Content {
  std::vector<float> frames;
  std::vector<double> mean;
};
Content content(int i) {
  Content c;
  for (int k = 0; k < (2 + i % 3) * 4; ++k) c.frames.push_back(static_cast<float>(i * 100 + k));
  for (int k = 0; k < 4; ++k) c.mean.push_back(i + k * 0.5);
  return c;
}

void write_record(StoreWriter& w, int i) {
  auto c = content(i);
  auto as_bytes = [](const auto& v) {
    return std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(v.data()),
                                          v.size() * sizeof(v[0]));
  };
  w.append("utt-" + std::to_string(100 + i),
           {{"12/frames", {DType::F32, {static_cast<int64_t>(c.frames.size() / 4), 4}, as_bytes(c.frames)}},
            {"12/mean", {DType::F64, {4}, as_bytes(c.mean)}}},
           {{"speaker_id", "spk" + std::to_string(i % 2)}});
}

std::map<std::string, std::string> all_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename()] = read_text_file(e.path());
  return out;
}

TEST(FeatureStore, WritesAndReadsBack) {
  TempDir dir;
  {
    StoreWriter w(dir.path(), manifest(), part_name(0, 1));
    for (int i = 0; i < 5; ++i) write_record(w, i);
  }
  StoreReader r(dir.path());
  ASSERT_EQ(r.records().size(), 5u);
  EXPECT_EQ(r.manifest().layers, (std::vector<int>{3, 12}));
  const auto* rec = r.find("utt-103");
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->meta.at("speaker_id"), "spk1");
  EXPECT_EQ(rec->arrays.at("12/frames").shape, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(r.read_f32(rec->arrays.at("12/frames")), content(3).frames);
  EXPECT_EQ(r.read_f64(rec->arrays.at("12/mean")), content(3).mean);
  EXPECT_EQ(r.find("utt-999"), nullptr);
}

// A killed writer leaves k complete records, part of record k's data and a torn index line. Re-running the same
// job must skip the k records and produce exactly the bytes of an uninterrupted run.
TEST(FeatureStore, ResumeAfterCrashesAtSeveralPointsGivesAnIdenticalStore) {
  TempDir ref_dir;
  {
    StoreWriter w(ref_dir.path(), manifest(), "0-of-1");
    for (int i = 0; i < 6; ++i) write_record(w, i);
  }
  const auto reference = all_files(ref_dir.path());
  const auto index_lines = read_lines(ref_dir / "index-0-of-1.jsonl");
  for (int k : {0, 1, 3, 5}) {
    for (bool torn_index_line : {false, true}) {
      TempDir dir;
      // Rebuild the crash state: k index lines (+ a torn one), data up to the middle of record k.
      {
        StoreWriter w(dir.path(), manifest(), "0-of-1");
        for (int i = 0; i <= k; ++i) write_record(w, i);
      }
      std::string index;
      for (int i = 0; i < k; ++i) index += index_lines[i] + "\n";
      if (torn_index_line) index += index_lines[k].substr(0, index_lines[k].size() / 2);
      write_text_file_atomically(dir / "index-0-of-1.jsonl", index);
      fs::resize_file(dir / "data-0-of-1-0.bin", fs::file_size(dir / "data-0-of-1-0.bin") - 10);
      EXPECT_EQ(StoreReader(dir.path()).records().size(), static_cast<size_t>(k));

      {
        StoreWriter w(dir.path(), manifest(), "0-of-1");
        EXPECT_EQ(w.done().size(), static_cast<size_t>(k));
        for (int i = 0; i < 6; ++i)
          if (!w.done().count("utt-" + std::to_string(100 + i))) write_record(w, i);
      }
      EXPECT_EQ(all_files(dir.path()), reference) << "crash after " << k << " records, torn=" << torn_index_line;
    }
  }
}

TEST(FeatureStore, RefusesADifferentConfiguration) {
  TempDir dir;
  { StoreWriter w(dir.path(), manifest(), "0-of-1"); }
  auto other = manifest();
  other.layers = {12};
  other.model_fingerprint = "zzz";
  try {
    StoreWriter w(dir.path(), other, "0-of-1");
    FAIL();
  } catch (const FormatError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("layers: stored '[3,12]', requested '[12]'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("model_fingerprint"), std::string::npos) << msg;
  }
}

TEST(FeatureStore, ShardsCombineIntoTheSingleRunResult) {
  TempDir single, sharded;
  {
    StoreWriter w(single.path(), manifest(), "0-of-1");
    for (int i = 0; i < 7; ++i) write_record(w, i);
  }
  for (int s = 0; s < 3; ++s) {
    StoreWriter w(sharded.path(), manifest(), part_name(s, 3));
    for (int i = s; i < 7; i += 3) write_record(w, i);
  }
  StoreReader a(single.path()), b(sharded.path());
  ASSERT_EQ(a.records().size(), b.records().size());
  for (size_t i = 0; i < a.records().size(); ++i) {
    EXPECT_EQ(a.records()[i].utt_id, b.records()[i].utt_id);
    EXPECT_EQ(a.read_f32(a.records()[i].arrays.at("12/frames")), b.read_f32(b.records()[i].arrays.at("12/frames")));
  }
  // The same utterance written by two parts is an error, not a silent pick.
  { StoreWriter w(sharded.path(), manifest(), part_name(0, 1)); write_record(w, 0); }
  EXPECT_THROW(StoreReader{sharded.path()}, FormatError);
  EXPECT_THROW(part_name(3, 3), InvalidArgument);
}

TEST(FeatureStore, RejectsBadArraysAndMissingStores) {
  TempDir dir;
  StoreWriter w(dir.path(), manifest(), "0-of-1");
  std::vector<float> v(3);
  std::span<const unsigned char> bytes(reinterpret_cast<const unsigned char*>(v.data()), 12);
  EXPECT_THROW(w.append("u", {{"x", {DType::F32, {4}, bytes}}}), InvalidArgument);
  EXPECT_THROW(w.append("a\nb", {{"x", {DType::F32, {3}, bytes}}}), InvalidArgument);
  EXPECT_THROW(StoreReader{dir / "nope"}, FileError);
}

TEST(Half, RoundTripsAndRoundsToNearestEven) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, 0.333251953125f})
    EXPECT_EQ(half_to_float(float_to_half(f)), f) << f;
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);          // tie -> even
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3c02);          // tie -> even (up)
  EXPECT_TRUE(std::isinf(half_to_float(float_to_half(1e6f))));
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
  EXPECT_EQ(float_to_half(2.9802322e-08f), 0x0000);              // exactly half the smallest subnormal -> even (0)
  EXPECT_EQ(float_to_half(4.4703484e-08f), 0x0001);              // 0.75 of the smallest subnormal -> 1
  // Every half value survives half -> float -> half.
  for (uint32_t h = 0; h < 0x7c00; ++h) ASSERT_EQ(float_to_half(half_to_float(static_cast<uint16_t>(h))), h);
}

}  // namespace
}  // namespace speechleak::features

namespace speechleak::features {
namespace {

TEST(FeatureStore, ADamagedCompleteIndexLineIsAnErrorNotATruncation) {
  speechleak::testing::TempDir dir;
  {
    StoreWriter w(dir.path(), manifest(), "0-of-1");
    for (int i = 0; i < 3; ++i) write_record(w, i);
  }
  auto lines = read_lines(dir / "index-0-of-1.jsonl");
  const auto before = std::filesystem::file_size(dir / "data-0-of-1-0.bin");
  write_text_file_atomically(dir / "index-0-of-1.jsonl", lines[0] + "\n{not json}\n" + lines[2] + "\n");
  EXPECT_THROW(StoreReader{dir.path()}, FormatError);
  EXPECT_THROW(StoreWriter(dir.path(), manifest(), "0-of-1"), FormatError);
  EXPECT_EQ(std::filesystem::file_size(dir / "data-0-of-1-0.bin"), before);  // nothing was cut
}

}  // namespace
}  // namespace speechleak::features

namespace speechleak::features {
namespace {

// The feature_store fuzz target's input: store.json, the index and the data file, cut at "\n@@\n".
void unpack_store(const std::filesystem::path& input, const std::filesystem::path& dir) {
  const auto text = read_text_file(input);
  const std::string sep = "\n@@\n";
  const char* names[] = {"store.json", "index-0-of-1.jsonl", "data-0-of-1-0.bin"};
  size_t start = 0;
  for (int i = 0; i < 3 && start <= text.size(); ++i) {
    const size_t end = i < 2 ? std::min(text.find(sep, start), text.size()) : text.size();
    testing::write_text(dir / names[i], text.substr(start, end - start));
    start = end + sep.size();
  }
}

// fuzz/regressions/feature_store: a store.json whose "format" is a number escaped as a JSON library error (the
// CLI said "internal error"), and a float past 2^64 where an index line wants a whole number was undefined
// behaviour, as was a layer index past int's range in store.json; fields of the wrong type, negative or overflowing
// shapes and data files outside the store are refused.
TEST(FeatureStore, ManifestsAndIndexLinesOfTheWrongShapeAreFormatErrors) {
  testing::TempDir dir;
  unpack_store(std::filesystem::path(SPEECHLEAK_SOURCE_DIR) /
                   "fuzz/regressions/feature_store/store-json-format-is-a-number",
               dir.path());
  EXPECT_THROW(StoreReader{dir.path()}, FormatError);
  unpack_store(std::filesystem::path(SPEECHLEAK_SOURCE_DIR) /
                   "fuzz/regressions/feature_store/store-json-layer-integer-past-int",
               dir.path());
  EXPECT_THROW(StoreReader{dir.path()}, FormatError);
  for (const char* manifest : {"[1, 2]", "{\"format\": \"speechleak-feature-store\", \"layers\": \"12\"}",
                               "{\"format\": \"speechleak-feature-store\", \"layers\": [1, 1e80]}",
                               "{\"format\": \"speechleak-feature-store\", \"layers\": [3000000000]}"}) {
    testing::write_text(dir / "store.json", manifest);
    EXPECT_THROW(StoreReader{dir.path()}, FormatError) << manifest;
  }
  testing::write_text(dir / "store.json", "{\"format\": \"speechleak-feature-store\"}");
  testing::write_text(dir / "data-0-of-1-0.bin", std::string(64, '\0'));
  testing::write_text(dir / "outside.bin", std::string(64, '\0'));
  // One index line whose array "m" has these shape, file, offset and nbytes.
  const auto line = [](const std::string& shape, const std::string& file, const std::string& offset,
                       const std::string& nbytes) {
    return "{\"utt\": \"u\", \"arrays\": {\"m\": {\"dtype\": \"float64\", \"shape\": " + shape + ", \"file\": \"" + file +
           "\", \"offset\": " + offset + ", \"nbytes\": " + nbytes + "}}}";
  };
  const std::string data = "data-0-of-1-0.bin";
  testing::write_text(dir / "index-0-of-1.jsonl", line("[2]", data, "0", "16") + "\n");
  EXPECT_EQ(StoreReader{dir.path()}.records().size(), 1u);
  for (const std::string& bad :
       {std::string(R"({"utt": 7, "arrays": {}})"), std::string(R"({"utt": "u", "arrays": {"m": 3}})"),
        line("\"x\"", data, "0", "16"), line("[-2, -1]", data, "0", "16"),
        line("[4294967296, 4294967296]", data, "0", "0"), line("[2]", data, "18446744073709551608", "16"),
        line("[2]", "outside.bin", "0", "16"), line("[2]", data, "4.48889e+89", "16"),
        line("[2.0]", data, "0", "16")}) {
    testing::write_text(dir / "index-0-of-1.jsonl", bad + "\n");
    EXPECT_THROW(StoreReader{dir.path()}, FormatError) << bad;
  }
}

}  // namespace
}  // namespace speechleak::features
