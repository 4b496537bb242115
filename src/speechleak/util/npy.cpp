#include "speechleak/util/npy.h"

#include <ostream>
#include <string>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"

namespace speechleak {
namespace {

// The 1.0 header: magic, version, little-endian header length, the dict padded with spaces to a multiple of 64
// bytes (numpy's alignment) and ended by '\n'.
std::string header(const char* descr, const std::vector<int64_t>& shape) {
  std::string dims;  // "3, 4"; a 1-tuple keeps its comma: "3,"
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += char(1), out += char(0);
  const auto n = static_cast<uint16_t>(dict.size());
  out += char(n & 0xff), out += char(n >> 8);
  return out + dict;
}

size_t count(const std::vector<int64_t>& shape) {
  size_t n = 1;
  for (auto d : shape) {
    if (d < 0) throw invalid_argument("npy shape", "non-negative dimensions", std::to_string(d));
    n *= static_cast<size_t>(d);
  }
  return n;
}

template <typename T>
void write_raw(const std::filesystem::path& path, const char* descr, const std::vector<int64_t>& shape,
               const std::vector<T>& values) {
  if (count(shape) != values.size())
    throw invalid_argument("npy values for " + path.string(), std::to_string(count(shape)) + " (the shape's product)",
                           std::to_string(values.size()));
  write_file_atomically(path, [&](std::ostream& os) {
    os << header(descr, shape);
    os.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
  });
}

template <typename T>
std::vector<int64_t> rows_shape(const std::vector<std::vector<T>>& rows, const std::filesystem::path& path) {
  const size_t cols = rows.empty() ? 0 : rows[0].size();
  for (size_t r = 0; r < rows.size(); ++r)
    if (rows[r].size() != cols)
      throw invalid_argument("row " + std::to_string(r) + " of " + path.string(), std::to_string(cols) + " columns",
                             std::to_string(rows[r].size()));
  return {static_cast<int64_t>(rows.size()), static_cast<int64_t>(cols)};
}

}  // namespace

void write_npy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const std::vector<double>& values) {
  write_raw(path, "<f8", shape, values);
}

void write_npy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const std::vector<int64_t>& values) {
  write_raw(path, "<i8", shape, values);
}

void write_npy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const std::vector<bool>& values) {
  std::vector<uint8_t> bytes(values.begin(), values.end());
  write_raw(path, "|b1", shape, bytes);
}

void write_npy(const std::filesystem::path& path, const std::vector<std::vector<double>>& rows) {
  std::vector<double> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  write_npy(path, rows_shape(rows, path), flat);
}

void write_npy(const std::filesystem::path& path, const std::vector<std::vector<bool>>& rows) {
  std::vector<bool> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  write_npy(path, rows_shape(rows, path), flat);
}

}  // namespace speechleak
