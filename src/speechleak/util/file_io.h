#pragma once
// File helpers: whole-file reads with errors that name the file, and atomic writes (temp file + rename) so
// that an interrupted run never leaves a half-written output that looks complete.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
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

// "cannot be written (<strerror(err)>...)", with what to do when the disk or a file-size limit is full: the one
// wording of a failed write, for FileError.
std::string write_failure(int err);

void write_text_file_atomically(const std::filesystem::path& path, const std::string& content);

// A file opened for appending (created when missing). Each write() goes out through write(2) in full or throws
// FileError naming the file and the reason (write_failure), so logs and stores never fail silently. Synced to disk
// when closed.
class AppendFile {
 public:
  AppendFile() = default;
  explicit AppendFile(const std::filesystem::path& path);
  ~AppendFile();
  AppendFile(AppendFile&& other) noexcept;
  AppendFile& operator=(AppendFile&& other) noexcept;
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  void write(const void* data, size_t n);
  void write(std::string_view text) { write(text.data(), text.size()); }
  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }
  void close() noexcept;  // syncs; the destructor does it too

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace speechleak
