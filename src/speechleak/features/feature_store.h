#pragma once
// The feature store: what extraction writes and attacks read. A directory of append-only data shards plus
// append-only JSON-lines indexes, crash-safe and readable from Python with numpy alone (docs/feature-store.md).
//
//   STORE/store.json                 what the store holds and how it was made (StoreManifest); written once
//   STORE/index-<part>.jsonl         one line per finished utterance: its arrays' dtype, shape, file and offset
//   STORE/data-<part>-<NNN>.bin      raw little-endian array bytes, appended
//
// <part> is "0-of-1" for a single run and "i-of-N" for `--shard i/N`; a store may hold any set of parts, and a
// reader sees the union. A record counts only once its index line is complete (ends in '\n'). What a killed writer
// leaves behind (a last line without its newline, unindexed data bytes) is ignored on read and cut off when the
// writer resumes. A complete line that does not parse or points past its data file is damage, not a crash, and
// is a FormatError for readers and writers alike (nothing is cut).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "speechleak/util/file_io.h"

namespace speechleak::features {

enum class DType { F16, F32, F64, I64 };
const char* dtype_name(DType d);  // numpy names: "float16", "float32", "float64", "int64"
size_t dtype_size(DType d);

// What a store holds and how it was made. Two runs may write into one store only if these agree.
struct StoreManifest {
  std::string model_fingerprint;  // hash of weights and config
  std::string model_description;
  std::vector<int> layers;        // hidden-state indices (0 = input to the first transformer layer)
  std::string preprocessing;      // e.g. "16 kHz mono, normalization=zero-mean-unit-var"
  std::string corpus_spec;
  bool frames = false;            // full frame sequences stored
  std::string frames_dtype = "float16";
  // The per-utterance signals stored beside the states (utterance_signal.h): their descriptions, "; "-joined;
  // "" for none (and for stores written before signals existed).
  std::string signals;
  std::string speechleak_version = SPEECHLEAK_VERSION;

  // Fields that differ from `other`, as "field: stored 'a', requested 'b'" lines; empty when compatible.
  std::vector<std::string> differences(const StoreManifest& other) const;
  std::string to_json() const;
  static StoreManifest from_json(const std::string& text, const std::filesystem::path& where);
};

// One array of one record, as located in the data files.
struct ArrayRef {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::string file;  // data file name inside the store
  uint64_t offset = 0;
  uint64_t nbytes = 0;
};

// A finished utterance: named arrays, e.g. "12/mean", "12/unit_sum", "12/frames", plus small metadata.
struct RecordRef {
  std::string utt_id;
  std::map<std::string, ArrayRef> arrays;
  std::map<std::string, std::string> meta;  // e.g. speaker_id, num_samples
};

// An array to write: raw bytes in `dtype`, row-major `shape`.
struct ArrayData {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::span<const unsigned char> bytes;
};

// Appends records to one part of a store. Opening an existing part resumes it: complete records are kept, a
// torn tail is cut off. Not thread-safe (one writer per part; the extraction pipeline serialises writes).
class StoreWriter {
 public:
  // Creates the store (writing store.json) or opens it, refusing a manifest that differs from the stored one
  // (FormatError listing every difference). `part` is e.g. "0-of-1".
  StoreWriter(const std::filesystem::path& dir, const StoreManifest& manifest, const std::string& part,
              uint64_t max_data_file_bytes = 1ull << 31);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Utterance ids already complete in this part (found when resuming).
  const std::set<std::string>& done() const { return done_; }
  // Writes the arrays, flushes them, then appends the index line in one write(2): the record is complete.
  void append(const std::string& utt_id, const std::map<std::string, ArrayData>& arrays,
              const std::map<std::string, std::string>& meta = {});
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  void open_data_file();
  std::filesystem::path dir_;
  std::string part_;
  uint64_t max_data_file_bytes_;
  std::set<std::string> done_;
  AppendFile data_, index_;
  int data_file_number_ = 0;
  uint64_t data_size_ = 0, bytes_written_ = 0;
};

// Reads every part of a store.
class StoreReader {
 public:
  explicit StoreReader(const std::filesystem::path& dir);
  const StoreManifest& manifest() const { return manifest_; }
  // Complete records of all parts, sorted by utterance id. An id present in two parts (overlapping shard runs)
  // is an error naming both index files.
  const std::vector<RecordRef>& records() const { return records_; }
  const RecordRef* find(const std::string& utt_id) const;
  // Index lines ignored because they were torn or pointed outside their data file.
  size_t ignored_lines() const { return ignored_lines_; }
  // The array's bytes as stored (little-endian, row-major).
  std::vector<unsigned char> read_bytes(const ArrayRef& ref) const;
  // Reads an array as float32 (F16/F64 converted) / float64.
  std::vector<float> read_f32(const ArrayRef& ref) const;
  std::vector<double> read_f64(const ArrayRef& ref) const;

 private:
  std::filesystem::path dir_;
  StoreManifest manifest_;
  std::vector<RecordRef> records_;
  size_t ignored_lines_ = 0;
};

// STORE/store.json, read: FileError when it is missing (not a feature store), FormatError when malformed.
StoreManifest read_store_manifest(const std::filesystem::path& dir);
// The manifest file's path in a store: STORE/store.json.
std::filesystem::path manifest_path(const std::filesystem::path& dir);

// One part's index file read: its complete records in file order and the torn last line a killed writer left (at
// most one). A complete line that does not parse or points past its data file is a FormatError naming the line.
struct PartScan {
  std::vector<RecordRef> records;
  uint64_t valid_bytes = 0;  // length of the prefix of complete, valid lines
  size_t ignored = 0;
};
PartScan scan_part(const std::filesystem::path& dir, const std::filesystem::path& index_path);
// The store's index files (index-*.jsonl), sorted by name.
std::vector<std::filesystem::path> part_indexes(const std::filesystem::path& dir);

// "3-of-8" for shard 3 of 8; validates 0 <= index < count.
std::string part_name(int index, int count);

}  // namespace speechleak::features
