#pragma once
// NumPy .npy files (format 1.0, little-endian, C order) for outputs that the ecosystem's plotting and analysis code
// reads with np.load: membership scores, keep matrices, per-model signals (docs/calibrated-attacks.md).
#include <cstdint>
#include <filesystem>
#include <vector>

namespace speechleak {

// shape's product must equal values.size() (InvalidArgument otherwise); written atomically.
void write_npy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const std::vector<double>& values);
void write_npy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const std::vector<bool>& values);
void write_npy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const std::vector<int64_t>& values);

// Row-major 2-D helpers: every row the same length (InvalidArgument naming the row otherwise).
void write_npy(const std::filesystem::path& path, const std::vector<std::vector<double>>& rows);
void write_npy(const std::filesystem::path& path, const std::vector<std::vector<bool>>& rows);

}  // namespace speechleak
