#pragma once
// Exception types of speechleak. Two tiers, as in faiss: a caller's mistake or bad input throws one of these
// (the message names the argument or file, what was expected and what was found); a broken internal invariant
// is an assert.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace speechleak {

// Base of every error speechleak throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A function argument or option outside its domain. Build with invalid_argument() so that the message names
// the argument, the expected value and the actual one.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// A file or byte stream that does not have the expected format (manifest, TextGrid, checkpoint, ...).
class FormatError : public Error {
 public:
  FormatError(std::filesystem::path path, const std::string& problem);
  const std::filesystem::path& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::filesystem::path path_;
  std::string problem_;
};

// A file that should exist and does not, or cannot be opened.
class FileError : public Error {
 public:
  FileError(std::filesystem::path path, const std::string& problem);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// "<name>: expected <expected>, got <actual>"
[[nodiscard]] InvalidArgument invalid_argument(const std::string& name, const std::string& expected,
                                               const std::string& actual);

}  // namespace speechleak
