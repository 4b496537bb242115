#include "speechleak/util/file_io.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "speechleak/util/error.h"
#include "speechleak/util/random.h"

namespace speechleak {

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
      std::filesystem::remove(tmp);
      throw FileError(tmp, "write failed (disk full?)");
    }
  }
  std::filesystem::rename(tmp, path);
}

void write_text_file_atomically(const std::filesystem::path& path, const std::string& content) {
  write_file_atomically(path, [&](std::ostream& out) { out << content; });
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
