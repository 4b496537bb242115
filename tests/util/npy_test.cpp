// .npy files as numpy writes them: magic, version 1.0, a header dict padded to 64 bytes, then the raw values.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "speechleak/util/error.h"
#include "speechleak/util/npy.h"
#include "support/test_support.h"

namespace speechleak {
namespace {

std::string bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Npy, HeaderAndDataAreNumpysLayout) {
  testing::TempDir dir;
  write_npy(dir / "a.npy", std::vector<std::vector<double>>{{1.5, -2}, {3, 4}, {5, 6}});
  const auto b = bytes_of(dir / "a.npy");
  ASSERT_EQ(b.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(b[6], 1);
  EXPECT_EQ(b[7], 0);
  const size_t header_len = uint8_t(b[8]) | (uint8_t(b[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const auto dict = b.substr(10, header_len);
  EXPECT_EQ(dict.find("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }"), 0u) << dict;
  EXPECT_EQ(dict.back(), '\n');
  ASSERT_EQ(b.size(), 10 + header_len + 6 * 8);
  double first = 0;
  std::memcpy(&first, b.data() + 10 + header_len, 8);
  EXPECT_EQ(first, 1.5);
}

TEST(Npy, OneDimensionalShapesKeepTheirCommaAndBoolsAreOneByte) {
  testing::TempDir dir;
  write_npy(dir / "b.npy", {3}, std::vector<bool>{true, false, true});
  const auto b = bytes_of(dir / "b.npy");
  const size_t header_len = uint8_t(b[8]) | (uint8_t(b[9]) << 8);
  EXPECT_NE(b.find("'descr': '|b1'"), std::string::npos);
  EXPECT_NE(b.find("'shape': (3,)"), std::string::npos);
  EXPECT_EQ(b.substr(10 + header_len), std::string("\x01\x00\x01", 3));
}

TEST(Npy, RaggedRowsAndWrongCountsAreRefused) {
  testing::TempDir dir;
  EXPECT_THROW(write_npy(dir / "c.npy", std::vector<std::vector<double>>{{1, 2}, {3}}), InvalidArgument);
  EXPECT_THROW(write_npy(dir / "d.npy", {2, 2}, std::vector<double>{1, 2, 3}), InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir / "c.npy"));
}

}  // namespace
}  // namespace speechleak
