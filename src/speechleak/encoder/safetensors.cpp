#include "speechleak/encoder/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"

namespace speechleak::encoder {
namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;
};

constexpr std::array<DTypeInfo, 10> kDTypes{{{DType::F32, "F32", 4},
                                            {DType::F16, "F16", 2},
                                            {DType::BF16, "BF16", 2},
                                            {DType::F64, "F64", 8},
                                            {DType::I64, "I64", 8},
                                            {DType::I32, "I32", 4},
                                            {DType::I16, "I16", 2},
                                            {DType::I8, "I8", 1},
                                            {DType::U8, "U8", 1},
                                            {DType::BOOL, "BOOL", 1}}};

std::string known_dtypes() {
  std::string s;
  for (const auto& d : kDTypes) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

uint64_t read_u64_le(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<uint64_t>(p[i]);
  return v;
}

std::string range_string(uint64_t b, uint64_t e) {
  return "[" + std::to_string(b) + ", " + std::to_string(e) + ")";
}

// Parses the header JSON, refusing duplicate tensor names (nlohmann keeps the last value silently).
nlohmann::json parse_header_json(std::string_view text, const std::filesystem::path& path) {
  std::set<std::string> seen;
  std::string duplicate;
  auto on_event = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1) {
      auto key = parsed.get<std::string>();
      if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text.begin(), text.end(), on_event);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path, "safetensors header is not valid JSON: " + std::string(e.what()));
  }
  if (!duplicate.empty()) throw FormatError(path, "safetensors header lists tensor '" + duplicate + "' twice");
  if (!header.is_object())
    throw FormatError(path, "safetensors header must be a JSON object, got " + std::string(header.type_name()));
  return header;
}

// Non-negative integer field, or a FormatError naming the tensor and field.
uint64_t as_count(const nlohmann::json& v, const std::filesystem::path& path, const std::string& what) {
  const auto n = json_integer<uint64_t>(v);
  if (!n) throw FormatError(path, what + ": expected a non-negative integer, got " + v.dump());
  return *n;
}

std::map<std::string, std::string> parse_metadata(const nlohmann::json& m, const std::filesystem::path& path) {
  if (!m.is_object()) throw FormatError(path, "safetensors __metadata__ must be an object, got " + m.dump());
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : m.items()) {
    if (!v.is_string())
      throw FormatError(path, "safetensors __metadata__ value of '" + k + "' must be a string, got " + v.dump());
    out[k] = v.get<std::string>();
  }
  return out;
}

struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& name, const nlohmann::json& info, const std::filesystem::path& path) {
  const std::string who = "tensor '" + name + "'";
  if (!info.is_object()) throw FormatError(path, who + ": expected an object, got " + info.dump());
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!info.contains(field)) throw FormatError(path, who + ": missing field '" + field + "'");
  const auto& dt = info["dtype"];
  if (!dt.is_string()) throw FormatError(path, who + ": dtype must be a string, got " + dt.dump());
  auto dtype = parse_dtype(dt.get<std::string>());
  if (!dtype)
    throw FormatError(path, who + ": unknown dtype '" + dt.get<std::string>() + "' (known: " + known_dtypes() + ")");
  const auto& sh = info["shape"];
  if (!sh.is_array()) throw FormatError(path, who + ": shape must be an array, got " + sh.dump());
  std::vector<int64_t> shape;
  for (const auto& d : sh) shape.push_back(static_cast<int64_t>(as_count(d, path, who + " shape")));
  const auto& off = info["data_offsets"];
  if (!off.is_array() || off.size() != 2)
    throw FormatError(path, who + ": data_offsets must be [begin, end], got " + off.dump());
  uint64_t b = as_count(off[0], path, who + " data_offsets"), e = as_count(off[1], path, who + " data_offsets");
  if (e < b) throw FormatError(path, who + ": data_offsets " + range_string(b, e) + " end before they begin");
  return Entry{name, *dtype, std::move(shape), b, e};
}

// shape product * dtype size, refusing overflow.
uint64_t expected_bytes(const Entry& e, const std::filesystem::path& path) {
  unsigned __int128 n = dtype_size(e.dtype);
  for (int64_t d : e.shape) {
    n *= static_cast<uint64_t>(d);
    if (n > (unsigned __int128)UINT64_MAX)
      throw FormatError(path, "tensor '" + e.name + "': shape " + shape_to_string(e.shape) + " overflows");
  }
  return static_cast<uint64_t>(n);
}

// Sorted by offset, the ranges must tile [0, buffer_size) exactly: no overlap, no hole, nothing after the last.
void check_tiling(std::vector<Entry>& entries, uint64_t buffer_size, const std::filesystem::path& path) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t pos = 0;
  const Entry* prev = nullptr;
  for (const auto& e : entries) {
    if (e.begin < pos)
      throw FormatError(path, "tensor '" + e.name + "': data_offsets " + range_string(e.begin, e.end) +
                                  " overlap tensor '" + prev->name + "' at " + range_string(prev->begin, prev->end));
    if (e.begin > pos)
      throw FormatError(path, "hole in the data buffer: bytes " + range_string(pos, e.begin) +
                                  " belong to no tensor (before tensor '" + e.name + "')");
    pos = e.end;
    prev = &e;
  }
  if (pos != buffer_size)
    throw FormatError(path, "hole in the data buffer: bytes " + range_string(pos, buffer_size) +
                                " after the last tensor belong to no tensor");
}

}  // namespace

std::string_view dtype_name(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.name;
  return "?";
}

size_t dtype_size(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.size;
  return 0;
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& d : kDTypes)
    if (d.name == name) return d.dtype;
  return std::nullopt;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Owns the bytes: either a read-only private mapping or an in-memory image.
struct SafetensorsFile::Storage {
  const std::byte* data = nullptr;
  size_t size = 0;
  void* map = nullptr;
  std::vector<std::byte> owned;
  ~Storage() {
    if (map) ::munmap(map, size);
  }
};

SafetensorsFile::SafetensorsFile(std::shared_ptr<Storage> storage, std::filesystem::path path)
    : storage_(std::move(storage)), path_(std::move(path)) {}

SafetensorsFile::~SafetensorsFile() = default;

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw FileError(path, "not a regular file");
  }
  auto storage = std::make_shared<Storage>();
  storage->size = static_cast<size_t>(st.st_size);
  if (storage->size > 0) {
    // mmap: a checkpoint of several GB is only paged in as its tensors are converted.
    void* p = ::mmap(nullptr, storage->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw FileError(path, std::string("cannot memory-map: ") + std::strerror(errno));
    }
    storage->map = p;
    storage->data = static_cast<const std::byte*>(p);
  }
  ::close(fd);
  SafetensorsFile file(std::move(storage), path);
  file.validate_and_index();
  return file;
}

SafetensorsFile SafetensorsFile::parse(std::vector<std::byte> image, const std::filesystem::path& path) {
  auto storage = std::make_shared<Storage>();
  storage->owned = std::move(image);
  storage->data = storage->owned.data();
  storage->size = storage->owned.size();
  SafetensorsFile file(std::move(storage), path);
  file.validate_and_index();
  return file;
}

void SafetensorsFile::validate_and_index() {
  const uint64_t file_size = storage_->size;
  if (file_size < 8)
    throw FormatError(path_, "truncated safetensors file: " + std::to_string(file_size) +
                                 " bytes, fewer than the 8-byte header length");
  const uint64_t n = read_u64_le(storage_->data);
  if (n > kMaxSafetensorsHeader)
    throw FormatError(path_, "safetensors header length " + std::to_string(n) + " exceeds the limit of " +
                                 std::to_string(kMaxSafetensorsHeader) + " bytes");
  if (n > file_size - 8)
    throw FormatError(path_, "safetensors header length " + std::to_string(n) + " exceeds the " +
                                 std::to_string(file_size - 8) + " bytes after the length field (file of " +
                                 std::to_string(file_size) + " bytes; truncated?)");
  std::string_view text(reinterpret_cast<const char*>(storage_->data + 8), n);
  auto header = parse_header_json(text, path_);
  const uint64_t buffer_size = file_size - 8 - n;
  const std::byte* buffer = storage_->data + 8 + n;

  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      metadata_ = parse_metadata(info, path_);
      continue;
    }
    Entry e = parse_entry(name, info, path_);
    if (e.end > buffer_size)
      throw FormatError(path_, "tensor '" + name + "': data_offsets " + range_string(e.begin, e.end) +
                                   " outside the data buffer of " + std::to_string(buffer_size) + " bytes");
    uint64_t want = expected_bytes(e, path_);
    if (want != e.end - e.begin)
      throw FormatError(path_, "tensor '" + name + "': shape " + shape_to_string(e.shape) + " of " +
                                   std::string(dtype_name(e.dtype)) + " needs " + std::to_string(want) +
                                   " bytes, but data_offsets " + range_string(e.begin, e.end) + " hold " +
                                   std::to_string(e.end - e.begin));
    entries.push_back(std::move(e));
  }
  check_tiling(entries, buffer_size, path_);
  for (auto& e : entries) {
    index_.emplace(e.name, tensors_.size());
    tensors_.push_back(TensorView{e.name, e.dtype, e.shape, {buffer + e.begin, e.end - e.begin}});
  }
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

const TensorView& SafetensorsFile::at(std::string_view name) const {
  if (const auto* t = find(name)) return *t;
  throw FormatError(path_, "no tensor named '" + std::string(name) + "'");
}

void write_safetensors(const std::filesystem::path& path, const std::vector<TensorRecord>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (t.name == "__metadata__" || !names.insert(t.name).second)
      throw invalid_argument("tensor name", "unique names other than __metadata__", "'" + t.name + "' twice");
    TensorView view{t.name, t.dtype, t.shape, t.bytes};
    const auto want = static_cast<uint64_t>(view.numel()) * dtype_size(t.dtype);
    if (want != t.bytes.size())
      throw invalid_argument("bytes of tensor '" + t.name + "'",
                             std::to_string(want) + " bytes for shape " + shape_to_string(t.shape),
                             std::to_string(t.bytes.size()));
    header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))}, {"shape", t.shape}, {"data_offsets", {offset, offset + want}}};
    offset += want;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  write_file_atomically(path, [&](std::ostream& out) {
    std::array<char, 8> len{};
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    out.write(len.data(), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : tensors)
      out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
  });
}

}  // namespace speechleak::encoder
