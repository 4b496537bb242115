#include "speechleak/features/store_tools.h"

#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::features {

namespace fs = std::filesystem;

namespace {

// "index-3-of-8.jsonl" -> "3-of-8"
std::string part_of(const fs::path& index) { return index.stem().string().substr(6); }

// "index-3-of-8.jsonl" -> {3, 8}; nullopt for another name.
std::optional<std::pair<int, int>> shard_of(const fs::path& index) {
  const auto parts = text::split(part_of(index), '-');
  if (parts.size() != 3 || parts[1] != "of") return std::nullopt;
  try {
    return std::make_pair(static_cast<int>(text::parse_int(parts[0], "part")),
                          static_cast<int>(text::parse_int(parts[2], "part")));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// What every record of a store should look like: array name -> "dtype rank width".
std::map<std::string, std::string> signature(const RecordRef& r) {
  std::map<std::string, std::string> s;
  for (const auto& [name, a] : r.arrays)
    s[name] = std::string(dtype_name(a.dtype)) + " rank " + std::to_string(a.shape.size()) + " width " +
              (a.shape.empty() ? "1" : std::to_string(a.shape.back()));
  return s;
}

std::string describe(const std::map<std::string, std::string>& s) {
  std::vector<std::string> items;
  for (const auto& [k, v] : s) items.push_back(k + " (" + v + ")");
  return text::join(items, ", ");
}

// The store's data files, each opened once for the whole check.
class DataFiles {
 public:
  explicit DataFiles(fs::path dir) : dir_(std::move(dir)) {}
  std::ifstream* get(const std::string& file) {
    auto [it, fresh] = open_.try_emplace(file);
    if (fresh) it->second.open(dir_ / file, std::ios::binary);
    return it->second ? &it->second : nullptr;
  }

 private:
  fs::path dir_;
  std::map<std::string, std::ifstream> open_;
};

// Reads the array's bytes and checks their count against dtype x shape; "" when sound.
std::string check_array(DataFiles& files, const ArrayRef& a, uint64_t& bytes_read) {
  uint64_t expected = dtype_size(a.dtype);
  for (auto d : a.shape) expected *= static_cast<uint64_t>(std::max<int64_t>(d, 0));
  if (expected != a.nbytes)
    return "holds " + std::to_string(a.nbytes) + " bytes for a " + dtype_name(a.dtype) + " array of " +
           std::to_string(expected) + " bytes";
  auto* in = files.get(a.file);
  if (!in) return "its data file " + a.file + " cannot be opened";
  in->clear();
  in->seekg(static_cast<std::streamoff>(a.offset));
  std::vector<char> buf(static_cast<size_t>(a.nbytes));
  in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (static_cast<uint64_t>(in->gcount()) != a.nbytes)
    return "its bytes " + std::to_string(a.offset) + ".." + std::to_string(a.offset + a.nbytes) + " of " + a.file +
           " cannot be read";
  bytes_read += a.nbytes;
  return "";
}

void check_shards(const std::vector<fs::path>& indexes, StoreCheck& c) {
  std::map<int, std::set<int>> shards;  // count -> indices present
  for (const auto& index : indexes) {
    const auto s = shard_of(index);
    if (!s || s->first < 0 || s->first >= s->second)
      c.problems.push_back(index.filename().string() + ": not a part name (index-<i>-of-<N>.jsonl)");
    else
      shards[s->second].insert(s->first);
  }
  if (shards.size() > 1) {
    std::vector<std::string> counts;
    for (const auto& [n, present] : shards) counts.push_back(std::to_string(n));
    c.problems.push_back("parts of runs with different shard counts (" + text::join(counts, ", ") +
                         "): shards of two splits overlap");
  }
  for (const auto& [n, present] : shards)
    for (int i = 0; i < n; ++i)
      if (!present.count(i))
        c.problems.push_back("part " + part_name(i, n) + " is missing (index-" + part_name(i, n) +
                             ".jsonl): run extract --shard " + std::to_string(i) + "/" + std::to_string(n));
}

}  // namespace

StoreCheck verify_store(const fs::path& dir, const ProgressCallback& progress) {
  StoreCheck c;
  c.manifest = read_store_manifest(dir);
  DataFiles files(dir);
  const auto indexes = part_indexes(dir);
  if (indexes.empty()) c.problems.push_back("no parts (index-*.jsonl): nothing was extracted into this store");
  check_shards(indexes, c);
  const std::set<int> layers(c.manifest.layers.begin(), c.manifest.layers.end());
  std::map<std::string, std::string> first_part_of;  // utterance id -> part
  std::optional<std::pair<std::string, std::map<std::string, std::string>>> reference;  // part, signature
  for (size_t k = 0; k < indexes.size(); ++k) {
    const auto& index = indexes[k];
    PartCheck p;
    p.part = part_of(index);
    PartScan scan;
    try {
      scan = scan_part(dir, index);
    } catch (const Error& e) {
      c.problems.push_back(std::string(e.what()));
      c.parts.push_back(p);
      continue;
    }
    p.records = scan.records.size();
    p.torn = scan.ignored;
    if (p.torn)
      c.problems.push_back(index.filename().string() + ": its last line is torn (the run was interrupted): run its "
                                                       "extract command again to finish the part");
    for (const auto& r : scan.records) {
      if (auto [it, fresh] = first_part_of.emplace(r.utt_id, p.part); !fresh)
        c.problems.push_back("utterance '" + r.utt_id + "' is in parts " + it->second + " and " + p.part);
      const auto sig = signature(r);
      if (!reference) reference.emplace(p.part, sig);
      else if (sig != reference->second)
        c.problems.push_back("part " + p.part + ", utterance '" + r.utt_id + "': arrays " + describe(sig) +
                             " differ from part " + reference->first + "'s " + describe(reference->second) +
                             " (a part of another configuration?)");
      for (const auto& [name, a] : r.arrays) {
        const auto slash = name.find('/');
        if (slash != std::string::npos && std::isdigit(static_cast<unsigned char>(name[0])) &&
            !layers.count(std::stoi(name.substr(0, slash))))
          c.problems.push_back("part " + p.part + ", utterance '" + r.utt_id + "': array " + name +
                               " is of a layer store.json does not list");
        if (const auto bad = check_array(files, a, c.bytes_read); !bad.empty())
          c.problems.push_back("part " + p.part + ", utterance '" + r.utt_id + "': array " + name + " " + bad);
      }
    }
    c.records += p.records;
    c.parts.push_back(p);
    if (progress) progress(Progress{"verify", static_cast<int64_t>(k + 1), static_cast<int64_t>(indexes.size()), 0, "", 0});
  }
  return c;
}

MergeReport merge_stores(const std::vector<fs::path>& inputs, const fs::path& out, const ProgressCallback& progress) {
  if (inputs.empty()) throw invalid_argument("stores", "one or more stores to merge", "none");
  std::vector<std::unique_ptr<StoreReader>> readers;
  std::map<std::string, fs::path> owner;  // utterance id -> input
  size_t total = 0;
  for (const auto& in : inputs) {
    if (fs::weakly_canonical(in) == fs::weakly_canonical(out))
      throw invalid_argument("--out", "a store other than the inputs", "'" + out.string() + "'");
    readers.push_back(std::make_unique<StoreReader>(in));
    const auto& m = readers.back()->manifest();
    if (const auto diff = readers.front()->manifest().differences(m); !diff.empty())
      throw FormatError(manifest_path(in), "its configuration differs from " +
                                                manifest_path(inputs.front()).string() + "'s: " + text::join(diff, "; "));
    for (const auto& r : readers.back()->records())
      if (auto [it, fresh] = owner.emplace(r.utt_id, in); !fresh)
        throw FormatError(in, "utterance '" + r.utt_id + "' is also in " + it->second.string() +
                                  " (stores of overlapping shards?); nothing was written");
    total += readers.back()->records().size();
  }
  StoreWriter writer(out, readers.front()->manifest(), part_name(0, 1));
  MergeReport report;
  report.inputs = inputs.size();
  int64_t done = 0;
  for (const auto& reader : readers) {
    for (const auto& r : reader->records()) {
      ++done;
      if (writer.done().count(r.utt_id)) {
        ++report.already;
        continue;
      }
      std::map<std::string, std::vector<unsigned char>> bytes;
      std::map<std::string, ArrayData> arrays;
      for (const auto& [name, a] : r.arrays) {
        bytes[name] = reader->read_bytes(a);
        arrays[name] = ArrayData{a.dtype, a.shape, bytes[name]};
      }
      writer.append(r.utt_id, arrays, r.meta);
      ++report.copied;
      if (progress) progress(Progress{"merge", done, static_cast<int64_t>(total), 0, "", 0});
    }
  }
  report.bytes = writer.bytes_written();
  return report;
}

}  // namespace speechleak::features
