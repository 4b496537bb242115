#pragma once
// Checking and combining feature stores written in parts (`extract --shard i/N`, or several processes of a
// launch): `speechleak store verify` and `speechleak store merge` (docs/feature-store.md).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "speechleak/features/feature_store.h"
#include "speechleak/util/progress.h"

namespace speechleak::features {

struct PartCheck {
  std::string part;      // "3-of-8"
  size_t records = 0;    // complete records
  size_t torn = 0;       // a torn last index line: the writer was interrupted
};

struct StoreCheck {
  StoreManifest manifest;
  std::vector<PartCheck> parts;
  size_t records = 0;
  uint64_t bytes_read = 0;
  std::vector<std::string> problems;  // each names the file or part and what is wrong
  bool ok() const { return problems.empty(); }
};

// Reads every part and every array byte of every record, and checks: the parts of an N-shard run are all there
// (and no two shard counts are mixed); no index is torn or damaged; no utterance id is in two parts; every record
// holds the arrays of the store's configuration (layers of store.json; the same array names, dtypes and widths in
// every part). Problems are collected, not thrown; only a missing or unreadable store.json throws.
StoreCheck verify_store(const std::filesystem::path& dir, const ProgressCallback& progress = {});

struct MergeReport {
  size_t inputs = 0;
  size_t copied = 0;    // records written by this run
  size_t already = 0;   // found in OUT from an earlier, interrupted run
  uint64_t bytes = 0;
};

// Copies every record of the `inputs` stores (all their parts) into part "0-of-1" of `out`, created or resumed
// (records already there are skipped). Refuses inputs whose store.json differ (listing the differences) and an
// utterance id in two inputs, before anything is written. Progress: stage "merge".
MergeReport merge_stores(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& out,
                         const ProgressCallback& progress = {});

}  // namespace speechleak::features
