#include "speechleak/util/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak {

std::string write_failure(int err) {
  std::string why = err ? std::strerror(err) : "the stream reported an error";
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    why += ": free space or raise the limit, then run the command again (finished work is kept)";
  return "cannot be written (" + why + ")";
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    throw FileError(path, std::filesystem::exists(path, ec) ? "cannot be opened for reading" : "does not exist");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw FileError(path, "read error");
  return ss.str();
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::string content = read_text_file(path);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& fill) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  auto tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw FileError(tmp, "cannot be opened for writing");
    try {
      fill(out);
    } catch (...) {
      out.close();
      std::filesystem::remove(tmp);
      throw;
    }
    out.flush();
    if (!out) {
      const int err = errno;
      std::filesystem::remove(tmp);
      throw FileError(path, write_failure(err));
    }
  }
  std::filesystem::rename(tmp, path);
}

void write_text_file_atomically(const std::filesystem::path& path, const std::string& content) {
  write_file_atomically(path, [&](std::ostream& out) { out << content; });
}

AppendFile::AppendFile(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw FileError(path, std::string("cannot be opened for appending: ") + std::strerror(errno));
}

AppendFile::~AppendFile() { close(); }

AppendFile::AppendFile(AppendFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }

AppendFile& AppendFile::operator=(AppendFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

void AppendFile::close() noexcept {
  if (fd_ < 0) return;
  ::fsync(fd_);
  ::close(fd_);
  fd_ = -1;
}

void AppendFile::write(const void* data, size_t n) {
  if (fd_ < 0) throw Error("AppendFile::write: " + path_.string() + " is not open");
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw FileError(path_, write_failure(errno));
    p += w;
    n -= static_cast<size_t>(w);
  }
}

uint64_t hash_file(const std::filesystem::path& path, uint64_t h) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path, "cannot open for reading");
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    h = fnv1a64(std::string_view(buf.data(), static_cast<size_t>(in.gcount())), h);
    if (!in) break;
  }
  return h;
}

uint64_t hash_files(const std::filesystem::path& dir, std::initializer_list<const char*> names, uint64_t h) {
  for (const char* f : names)
    if (std::filesystem::exists(dir / f)) h = hash_file(dir / f, fnv1a64(f, h));
  return h;
}

}  // namespace speechleak
