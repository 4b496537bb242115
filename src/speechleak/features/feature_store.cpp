#include "speechleak/features/feature_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "speechleak/features/half.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"
#include "speechleak/util/json_number.h"
#include "speechleak/util/log.h"
#include "speechleak/util/text.h"

namespace speechleak::features {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kManifestFile = "store.json";

DType parse_dtype(const std::string& s, const fs::path& where) {
  if (s == "float16") return DType::F16;
  if (s == "float32") return DType::F32;
  if (s == "float64") return DType::F64;
  if (s == "int64") return DType::I64;
  throw FormatError(where, "unknown dtype '" + s + "' (expected float16, float32, float64 or int64)");
}

json array_json(const ArrayRef& a) {
  return {{"dtype", dtype_name(a.dtype)}, {"shape", a.shape}, {"file", a.file}, {"offset", a.offset},
          {"nbytes", a.nbytes}};
}

// Bytes of an array of `shape` and `dtype`; nullopt for a negative dimension or a product past 2^63.
std::optional<uint64_t> array_bytes(const std::vector<int64_t>& shape, DType dtype) {
  int64_t count = 1;
  for (auto d : shape)
    if (d < 0 || __builtin_mul_overflow(count, d, &count)) return std::nullopt;
  int64_t bytes = 0;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(dtype_size(dtype)), &bytes)) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

// A data file name as the writer makes them ("data-<part>-<n>.bin"): nothing that leaves the store directory.
bool is_data_file_name(const std::string& name) {
  return text::starts_with(name, "data-") && name.find_first_of(std::string("/\0", 2)) == std::string::npos;
}

std::optional<std::vector<int64_t>> shape_of(const json& v) {
  if (!v.is_array()) return std::nullopt;
  std::vector<int64_t> shape;
  for (const auto& d : v) {
    const auto n = json_integer<uint64_t>(d);
    if (!n || *n > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    shape.push_back(static_cast<int64_t>(*n));
  }
  return shape;
}

// Parses one index line; nullopt when it is torn, malformed, or points outside its data file.
std::optional<RecordRef> parse_index_line(const std::string& line, const fs::path& dir, const fs::path& index_path) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("utt") || !j.contains("arrays") || !j["arrays"].is_object())
    return std::nullopt;
  RecordRef r;
  try {
    r.utt_id = j["utt"].get<std::string>();
    if (j.contains("meta"))
      for (auto& [k, v] : j["meta"].items()) r.meta[k] = v.get<std::string>();
    for (auto& [name, a] : j["arrays"].items()) {
      const auto shape = shape_of(a.at("shape"));
      const auto offset = json_integer<uint64_t>(a.at("offset")), nbytes = json_integer<uint64_t>(a.at("nbytes"));
      if (!shape || !offset || !nbytes) return std::nullopt;
      ArrayRef ref{parse_dtype(a.at("dtype").get<std::string>(), index_path), *shape, a.at("file").get<std::string>(),
                   *offset, *nbytes};
      const auto bytes = array_bytes(ref.shape, ref.dtype);
      if (!bytes || *bytes != ref.nbytes || !is_data_file_name(ref.file)) return std::nullopt;
      std::error_code ec;
      const auto size = fs::file_size(dir / ref.file, ec);
      if (ec || ref.offset > size || ref.nbytes > size - ref.offset) return std::nullopt;
      r.arrays[name] = ref;
    }
  } catch (const json::exception&) {  // a field of the wrong type
    return std::nullopt;
  }
  return r;
}

}  // namespace

PartScan scan_part(const fs::path& dir, const fs::path& index_path) {
  PartScan scan;
  if (!fs::exists(index_path)) return scan;
  const std::string content = read_text_file(index_path);
  size_t pos = 0;
  while (pos < content.size()) {
    const size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) {  // torn last line
      ++scan.ignored;
      break;
    }
    auto rec = parse_index_line(content.substr(pos, nl - pos), dir, index_path);
    if (!rec)  // a killed writer leaves at most a line without its newline: a complete bad line is damage
      throw FormatError(index_path, "line " + std::to_string(scan.records.size() + 1) +
                                        " is complete but invalid (bad JSON, or a byte range past the end of its data "
                                        "file: a store copied before its data files?); nothing was changed");
    scan.records.push_back(std::move(*rec));
    pos = nl + 1;
    scan.valid_bytes = pos;
  }
  return scan;
}

std::vector<fs::path> part_indexes(const fs::path& dir) {
  std::vector<fs::path> indexes;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("index-", 0) == 0 && e.path().extension() == ".jsonl")
      indexes.push_back(e.path());
  std::sort(indexes.begin(), indexes.end());
  return indexes;
}

const char* dtype_name(DType d) {
  switch (d) {
    case DType::F16: return "float16";
    case DType::F32: return "float32";
    case DType::F64: return "float64";
    case DType::I64: return "int64";
  }
  return "?";
}

size_t dtype_size(DType d) { return d == DType::F16 ? 2 : d == DType::F32 ? 4 : 8; }

std::string part_name(int index, int count) {
  if (count < 1 || index < 0 || index >= count)
    throw invalid_argument("shard", "i/N with 0 <= i < N", std::to_string(index) + "/" + std::to_string(count));
  return std::to_string(index) + "-of-" + std::to_string(count);
}

std::vector<std::string> StoreManifest::differences(const StoreManifest& o) const {
  std::vector<std::string> out;
  auto cmp = [&](const char* field, const std::string& a, const std::string& b) {
    if (a != b) out.push_back(std::string(field) + ": stored '" + a + "', requested '" + b + "'");
  };
  auto layers_str = [](const std::vector<int>& v) { return json(v).dump(); };
  cmp("model_fingerprint", model_fingerprint, o.model_fingerprint);
  cmp("layers", layers_str(layers), layers_str(o.layers));
  cmp("preprocessing", preprocessing, o.preprocessing);
  cmp("corpus_spec", corpus_spec, o.corpus_spec);
  cmp("frames", frames ? "yes" : "no", o.frames ? "yes" : "no");
  if (frames && o.frames) cmp("frames_dtype", frames_dtype, o.frames_dtype);
  cmp("signals", signals, o.signals);
  return out;
}

std::string StoreManifest::to_json() const {
  json j{{"format", "speechleak-feature-store"}, {"format_version", 1},
         {"model_fingerprint", model_fingerprint}, {"model_description", model_description},
         {"layers", layers}, {"preprocessing", preprocessing}, {"corpus_spec", corpus_spec},
         {"frames", frames}, {"frames_dtype", frames_dtype}, {"speechleak_version", speechleak_version}};
  if (!signals.empty()) j["signals"] = signals;  // absent when none: older readers and stores stay as they were
  return j.dump(2);
}

StoreManifest StoreManifest::from_json(const std::string& text, const fs::path& where) {
  json j = json::parse(text, nullptr, false);
  const bool ours = j.is_object() && j.contains("format") && j["format"] == "speechleak-feature-store";
  if (!ours)
    throw FormatError(where, "not a speechleak feature store manifest (expected JSON with format "
                             "\"speechleak-feature-store\")");
  StoreManifest m;
  try {
    m.model_fingerprint = j.value("model_fingerprint", "");
    m.model_description = j.value("model_description", "");
    if (j.contains("layers")) {  // each a JSON integer that fits an int (a float past its range is UB to convert)
      const auto& layers = j.at("layers");
      if (!layers.is_array()) throw FormatError(where, "malformed store manifest: \"layers\" is not a list");
      for (const auto& l : layers) {
        const auto layer = json_integer<int>(l);
        if (!layer)
          throw FormatError(where, "malformed store manifest: \"layers\" holds " + l.dump() +
                                       ", not a layer index (an integer within int's range)");
        m.layers.push_back(*layer);
      }
    }
    m.preprocessing = j.value("preprocessing", "");
    m.corpus_spec = j.value("corpus_spec", "");
    m.frames = j.value("frames", false);
    m.frames_dtype = j.value("frames_dtype", "float16");
    m.signals = j.value("signals", "");
    m.speechleak_version = j.value("speechleak_version", "");
  } catch (const json::exception& e) {  // a field of the wrong type
    throw FormatError(where, std::string("malformed store manifest: ") + e.what());
  }
  return m;
}

StoreWriter::StoreWriter(const fs::path& dir, const StoreManifest& manifest, const std::string& part,
                         uint64_t max_data_file_bytes)
    : dir_(dir), part_(part), max_data_file_bytes_(max_data_file_bytes) {
  fs::create_directories(dir_);
  const auto manifest_path = dir_ / kManifestFile;
  if (fs::exists(manifest_path)) {
    auto stored = StoreManifest::from_json(read_text_file(manifest_path), manifest_path);
    auto diff = stored.differences(manifest);
    if (!diff.empty()) {
      std::string msg = "this store was made with a different configuration; use another --out or the same options:";
      for (auto& d : diff) msg += "\n  " + d;
      throw FormatError(manifest_path, msg);
    }
  } else {
    write_text_file_atomically(manifest_path, manifest.to_json() + "\n");
  }
  // Resume: keep complete records, cut the torn tail of the index and of every data file.
  const auto index_path = dir_ / ("index-" + part_ + ".jsonl");
  auto scan = scan_part(dir_, index_path);
  std::map<std::string, uint64_t> data_end;
  for (auto& r : scan.records) {
    done_.insert(r.utt_id);
    for (auto& [name, a] : r.arrays) data_end[a.file] = std::max(data_end[a.file], a.offset + a.nbytes);
  }
  if (fs::exists(index_path)) fs::resize_file(index_path, scan.valid_bytes);
  for (int n = 0;; ++n) {
    const std::string name = "data-" + part_ + "-" + std::to_string(n) + ".bin";
    if (!fs::exists(dir_ / name)) break;
    fs::resize_file(dir_ / name, data_end.count(name) ? data_end[name] : 0);
    data_file_number_ = n;
  }
  index_ = AppendFile(index_path);
  open_data_file();
}

StoreWriter::~StoreWriter() = default;

void StoreWriter::open_data_file() {
  const auto path = dir_ / ("data-" + part_ + "-" + std::to_string(data_file_number_) + ".bin");
  data_ = AppendFile(path);
  data_size_ = fs::file_size(path);
}

void StoreWriter::append(const std::string& utt_id, const std::map<std::string, ArrayData>& arrays,
                         const std::map<std::string, std::string>& meta) {
  if (utt_id.empty() || utt_id.find('\n') != std::string::npos)
    throw invalid_argument("utt_id", "a non-empty id without newlines", "'" + utt_id + "'");
  if (data_size_ > 0 && data_size_ >= max_data_file_bytes_) {
    ++data_file_number_;
    open_data_file();
  }
  const std::string file = "data-" + part_ + "-" + std::to_string(data_file_number_) + ".bin";
  json jarrays = json::object();
  for (const auto& [name, a] : arrays) {
    const auto expected = array_bytes(a.shape, a.dtype);
    if (!expected || *expected != a.bytes.size())
      throw invalid_argument("array " + name + " of " + utt_id,
                             expected ? std::to_string(*expected) + " bytes for its shape" : "a valid shape",
                             std::to_string(a.bytes.size()) + " bytes");
    data_.write(a.bytes.data(), a.bytes.size());
    jarrays[name] = array_json({a.dtype, a.shape, file, data_size_, a.bytes.size()});
    data_size_ += a.bytes.size();
    bytes_written_ += a.bytes.size();
  }
  // The index line goes out in one write(2) after the data: a killed process leaves either no line, a torn
  // line (ignored), or a complete line whose data is already in the file.
  const std::string line = json{{"utt", utt_id}, {"meta", meta}, {"arrays", jarrays}}.dump() + "\n";
  index_.write(line);
  done_.insert(utt_id);
}

fs::path manifest_path(const fs::path& dir) { return dir / kManifestFile; }

StoreManifest read_store_manifest(const fs::path& dir) {
  const auto path = manifest_path(dir);
  if (!fs::exists(path)) throw FileError(path, "missing: not a feature store directory");
  return StoreManifest::from_json(read_text_file(path), path);
}

StoreReader::StoreReader(const fs::path& dir) : dir_(dir), manifest_(read_store_manifest(dir)) {
  std::map<std::string, fs::path> seen;
  for (const auto& index : part_indexes(dir_)) {
    auto scan = scan_part(dir_, index);
    ignored_lines_ += scan.ignored;
    for (auto& r : scan.records) {
      auto [it, fresh] = seen.emplace(r.utt_id, index);
      if (!fresh)
        throw FormatError(index, "utterance '" + r.utt_id + "' is also in " + it->second.filename().string() +
                                     " (two runs wrote the same shard?)");
      records_.push_back(std::move(r));
    }
  }
  std::sort(records_.begin(), records_.end(), [](const auto& a, const auto& b) { return a.utt_id < b.utt_id; });
  if (ignored_lines_ > 0)
    log_warn(dir_.string() + ": " + std::to_string(ignored_lines_) +
             " torn index line(s) of an interrupted run ignored; run the extraction again to finish it");
}

const RecordRef* StoreReader::find(const std::string& utt_id) const {
  auto it = std::lower_bound(records_.begin(), records_.end(), utt_id,
                             [](const RecordRef& r, const std::string& id) { return r.utt_id < id; });
  return it != records_.end() && it->utt_id == utt_id ? &*it : nullptr;
}

namespace {
std::vector<unsigned char> read_file_range(const fs::path& path, uint64_t offset, uint64_t n) {
  std::vector<unsigned char> buf(n);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileError(path, "cannot be opened");
  ssize_t got = ::pread(fd, buf.data(), n, static_cast<off_t>(offset));
  ::close(fd);
  if (got != static_cast<ssize_t>(n)) throw FileError(path, "short read at offset " + std::to_string(offset));
  return buf;
}

template <typename Out>
std::vector<Out> convert(const std::vector<unsigned char>& b, DType dtype) {
  const size_t n = b.size() / dtype_size(dtype);
  std::vector<Out> out(n);
  for (size_t i = 0; i < n; ++i) {
    switch (dtype) {
      case DType::F16: { uint16_t h; std::memcpy(&h, &b[2 * i], 2); out[i] = static_cast<Out>(half_to_float(h)); break; }
      case DType::F32: { float f; std::memcpy(&f, &b[4 * i], 4); out[i] = static_cast<Out>(f); break; }
      case DType::F64: { double d; std::memcpy(&d, &b[8 * i], 8); out[i] = static_cast<Out>(d); break; }
      case DType::I64: { int64_t v; std::memcpy(&v, &b[8 * i], 8); out[i] = static_cast<Out>(v); break; }
    }
  }
  return out;
}
}  // namespace

std::vector<unsigned char> StoreReader::read_bytes(const ArrayRef& ref) const {
  return read_file_range(dir_ / ref.file, ref.offset, ref.nbytes);
}

std::vector<float> StoreReader::read_f32(const ArrayRef& ref) const {
  return convert<float>(read_file_range(dir_ / ref.file, ref.offset, ref.nbytes), ref.dtype);
}

std::vector<double> StoreReader::read_f64(const ArrayRef& ref) const {
  return convert<double>(read_file_range(dir_ / ref.file, ref.offset, ref.nbytes), ref.dtype);
}

}  // namespace speechleak::features
