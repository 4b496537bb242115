#pragma once
// File helpers: whole-file reads with errors that name the file, and atomic writes (temp file + rename) so
// that an interrupted run never leaves a half-written output that looks complete.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace speechleak {

std::string read_text_file(const std::filesystem::path& path);
// Lines without their '\n' (and without a trailing '\r').
std::vector<std::string> read_lines(const std::filesystem::path& path);

// Writes through `fill` into "<path>.tmp-<pid>" and renames it onto `path` only after `fill` returned and the
// stream flushed without error. Parent directories are created.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& fill);
// FNV-1a 64 of a file's bytes (streamed), continuing from `basis`: fingerprints of model files.
uint64_t hash_file(const std::filesystem::path& path, uint64_t basis);
// The files of `dir` named in `names` that exist, each hashed after its name, in the order given.
uint64_t hash_files(const std::filesystem::path& dir, std::initializer_list<const char*> names, uint64_t basis);

void write_text_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace speechleak
