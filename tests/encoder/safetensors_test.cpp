// safetensors reader validation: every malformed file is refused with a message naming what is wrong.
#include "speechleak/encoder/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "support/test_support.h"
#include "speechleak/util/error.h"

namespace speechleak::encoder {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// 8-byte LE length + header + `buffer` bytes (values 0, 1, 2, ...).
std::string image(const std::string& header, size_t buffer, uint64_t declared_length = UINT64_MAX) {
  const uint64_t n = declared_length == UINT64_MAX ? header.size() : declared_length;
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += header;
  for (size_t i = 0; i < buffer; ++i) out += static_cast<char>(i & 0xff);
  return out;
}

fs::path write(const TempDir& dir, const std::string& bytes, const std::string& name = "m.safetensors") {
  auto p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

// The FormatError message of opening `bytes`, or "" when the file is accepted.
std::string error_of(const std::string& bytes) {
  TempDir dir;
  try {
    SafetensorsFile::open(write(dir, bytes));
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

TEST(Safetensors, ReadsValidFileWithMetadata) {
  TempDir dir;
  const std::string h =
      R"({"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[1],"data_offsets":[24,32]},)"
      R"("a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
  auto f = SafetensorsFile::open(write(dir, image(h, 32)));
  ASSERT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.tensors()[0].name, "a");  // buffer order, not header order
  EXPECT_EQ(f.at("a").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.at("a").bytes.size(), 24u);
  EXPECT_EQ(std::to_integer<int>(f.at("b").bytes[0]), 24);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.find("c"), nullptr);
  EXPECT_THROW(f.at("c"), FormatError);
}

TEST(Safetensors, WriterRoundTrip) {
  TempDir dir;
  std::vector<float> a = {1.5f, -2.0f, 3.25f};
  std::vector<int16_t> b = {7, -8};
  std::vector<TensorRecord> records{
      {"x.a", DType::F32, {3}, std::as_bytes(std::span(a))},
      {"x.b", DType::I16, {1, 2}, std::as_bytes(std::span(b))},
      {"empty", DType::BF16, {0, 4}, {}},
  };
  write_safetensors(dir / "w.safetensors", records, {{"k", "v"}});
  auto f = SafetensorsFile::open(dir / "w.safetensors");
  ASSERT_EQ(f.tensors().size(), 3u);
  float got[3];
  std::memcpy(got, f.at("x.a").bytes.data(), sizeof got);
  EXPECT_EQ(got[2], 3.25f);
  EXPECT_EQ(f.at("x.b").dtype, DType::I16);
  EXPECT_EQ(f.at("empty").numel(), 0);
  EXPECT_EQ(f.metadata().at("k"), "v");
  // The header is padded to 8 bytes, so the buffer starts aligned.
  std::ifstream in(dir / "w.safetensors", std::ios::binary);
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  EXPECT_EQ(n % 8, 0u);
}

TEST(Safetensors, WriterRefusesDuplicatesAndWrongSizes) {
  TempDir dir;
  std::vector<float> a = {1, 2};
  EXPECT_THROW(write_safetensors(dir / "d.safetensors", {{"a", DType::F32, {2}, std::as_bytes(std::span(a))},
                                                         {"a", DType::F32, {2}, std::as_bytes(std::span(a))}}),
               InvalidArgument);
  EXPECT_THROW(write_safetensors(dir / "s.safetensors", {{"a", DType::F32, {3}, std::as_bytes(std::span(a))}}),
               InvalidArgument);
}

TEST(Safetensors, TruncatedBeforeHeaderLength) {
  auto e = error_of(std::string(5, '\0'));
  EXPECT_NE(e.find("truncated safetensors file: 5 bytes"), std::string::npos) << e;
}

TEST(Safetensors, TruncatedRealFile) {
  // A real checkpoint cut in the middle of its data: the last tensors point past the end.
  const fs::path src = fs::path(SPEECHLEAK_SOURCE_DIR) / "tests/fixtures/encoder/a_hubert_group/model.safetensors";
  std::ifstream in(src, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 1000u);
  auto e = error_of(bytes.substr(0, bytes.size() / 2));
  EXPECT_NE(e.find("outside the data buffer"), std::string::npos) << e;
  auto e2 = error_of(bytes.substr(0, 100));  // cut inside the header
  EXPECT_NE(e2.find("exceeds the 92 bytes after the length field"), std::string::npos) << e2;
}

TEST(Safetensors, HeaderLengthBeyondFile) {
  auto e = error_of(image(R"({})", 0, 1000));
  EXPECT_NE(e.find("header length 1000 exceeds the 2 bytes after the length field"), std::string::npos) << e;
}

TEST(Safetensors, HeaderOverLimit) {
  auto e = error_of(image(R"({})", 0, 200'000'000));
  EXPECT_NE(e.find("header length 200000000 exceeds the limit of 100000000 bytes"), std::string::npos) << e;
}

TEST(Safetensors, InvalidJson) {
  auto e = error_of(image(R"({"a": {"dtype": "F32",)", 0));
  EXPECT_NE(e.find("safetensors header is not valid JSON"), std::string::npos) << e;
  auto e2 = error_of(image(R"([1, 2])", 0));
  EXPECT_NE(e2.find("must be a JSON object, got array"), std::string::npos) << e2;
}

TEST(Safetensors, UnknownDtype) {
  auto e = error_of(image(R"({"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}})", 2));
  EXPECT_NE(e.find("tensor 'w': unknown dtype 'Q4' (known: F32, F16, BF16"), std::string::npos) << e;
}

TEST(Safetensors, ShapeByteRangeMismatch) {
  auto e = error_of(image(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20));
  EXPECT_NE(e.find("tensor 'w': shape [2, 3] of F32 needs 24 bytes, but data_offsets [0, 20) hold 20"),
            std::string::npos)
      << e;
}

TEST(Safetensors, OverlappingRanges) {
  auto e = error_of(image(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                          R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
                          24));
  EXPECT_NE(e.find("tensor 'b': data_offsets [8, 24) overlap tensor 'a' at [0, 16)"), std::string::npos) << e;
}

TEST(Safetensors, HoleBetweenTensors) {
  auto e = error_of(image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})",
                          24));
  EXPECT_NE(e.find("hole in the data buffer: bytes [8, 16) belong to no tensor (before tensor 'b')"),
            std::string::npos)
      << e;
}

TEST(Safetensors, HoleAfterLastTensor) {
  auto e = error_of(image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 12));
  EXPECT_NE(e.find("hole in the data buffer: bytes [8, 12) after the last tensor"), std::string::npos) << e;
}

TEST(Safetensors, HoleAtStart) {
  auto e = error_of(image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12));
  EXPECT_NE(e.find("bytes [0, 4) belong to no tensor (before tensor 'a')"), std::string::npos) << e;
}

TEST(Safetensors, OffsetsOutsideBuffer) {
  auto e = error_of(image(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8));
  EXPECT_NE(e.find("tensor 'a': data_offsets [0, 16) outside the data buffer of 8 bytes"), std::string::npos) << e;
}

TEST(Safetensors, DuplicateNames) {
  auto e = error_of(image(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                          R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                          2));
  EXPECT_NE(e.find("safetensors header lists tensor 'a' twice"), std::string::npos) << e;
}

TEST(Safetensors, MalformedEntries) {
  auto missing = error_of(image(R"({"a":{"dtype":"U8","shape":[1]}})", 1));
  EXPECT_NE(missing.find("tensor 'a': missing field 'data_offsets'"), std::string::npos) << missing;
  auto negative = error_of(image(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1));
  EXPECT_NE(negative.find("tensor 'a' shape: expected a non-negative integer, got -1"), std::string::npos)
      << negative;
  auto reversed = error_of(image(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[1,0]}})", 1));
  EXPECT_NE(reversed.find("tensor 'a': data_offsets [1, 0) end before they begin"), std::string::npos) << reversed;
  auto meta = error_of(image(R"({"__metadata__":{"k":1}})", 0));
  EXPECT_NE(meta.find("__metadata__ value of 'k' must be a string"), std::string::npos) << meta;
}

TEST(Safetensors, MissingFileIsFileError) {
  TempDir dir;
  EXPECT_THROW(SafetensorsFile::open(dir / "absent.safetensors"), FileError);
}

TEST(Safetensors, ErrorsNameTheFile) {
  TempDir dir;
  auto p = write(dir, std::string(3, '\0'), "named.safetensors");
  try {
    SafetensorsFile::open(p);
    FAIL() << "accepted a 3-byte file";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), p);
    EXPECT_NE(std::string(e.what()).find("named.safetensors"), std::string::npos);
  }
}

}  // namespace
}  // namespace speechleak::encoder
