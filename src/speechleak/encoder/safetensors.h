#pragma once
// safetensors reader and writer, torch-free so that it compiles in a second (torch conversion: tensor_io.h).
//
// Layout: u64 little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [b, e)}} plus an
// optional "__metadata__" {string: string}, then the byte buffer; offsets are relative to the buffer. The reader
// validates everything a checkpoint from an untrusted source could get wrong (see SafetensorsFile::parse) and
// every error names the file, the tensor and what was expected and found.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace speechleak::encoder {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL };

std::string_view dtype_name(DType dtype);
size_t dtype_size(DType dtype);
// nullopt for a name outside the list above.
std::optional<DType> parse_dtype(std::string_view name);

// One tensor of an open file: a view into its (memory-mapped) bytes, little-endian, row-major.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::span<const std::byte> bytes;
  int64_t numel() const;
};

std::string shape_to_string(const std::vector<int64_t>& shape);  // "[2, 3]"

// The largest header the reader accepts (the format's own limit).
inline constexpr uint64_t kMaxSafetensorsHeader = 100ull * 1000 * 1000;

class SafetensorsFile {
 public:
  // Memory-maps and validates `path`. Throws FileError (cannot open) or FormatError (anything malformed).
  static SafetensorsFile open(const std::filesystem::path& path);
  // Validates an in-memory image (kept alive by the returned object); `path` is used in messages only.
  static SafetensorsFile parse(std::vector<std::byte> image, const std::filesystem::path& path);

  SafetensorsFile(SafetensorsFile&&) noexcept = default;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;
  ~SafetensorsFile();

  const std::filesystem::path& path() const { return path_; }
  // In buffer order.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(std::string_view name) const;
  // Throws FormatError naming the file and the missing tensor.
  const TensorView& at(std::string_view name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  struct Storage;
  SafetensorsFile(std::shared_ptr<Storage> storage, std::filesystem::path path);
  void validate_and_index();

  std::shared_ptr<Storage> storage_;
  std::filesystem::path path_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t, std::less<>> index_;
  std::map<std::string, std::string> metadata_;
};

// A tensor to write: the caller keeps `bytes` alive until write_safetensors returns.
struct TensorRecord {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::span<const std::byte> bytes;
};

// Writes atomically (temp file + rename), tensors in the given order, header padded to 8 bytes with spaces as the
// reference implementation does. Throws InvalidArgument for duplicate names or a byte count that does not match
// the shape.
void write_safetensors(const std::filesystem::path& path, const std::vector<TensorRecord>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace speechleak::encoder
