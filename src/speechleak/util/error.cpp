#include "speechleak/util/error.h"

namespace speechleak {

FormatError::FormatError(std::filesystem::path path, const std::string& problem)
    : Error(path.string() + ": " + problem), path_(std::move(path)), problem_(problem) {}

FileError::FileError(std::filesystem::path path, const std::string& problem)
    : Error(path.string() + ": " + problem), path_(std::move(path)) {}

InvalidArgument invalid_argument(const std::string& name, const std::string& expected, const std::string& actual) {
  return InvalidArgument(name + ": expected " + expected + ", got " + actual);
}

}  // namespace speechleak
