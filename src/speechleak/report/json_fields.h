#pragma once
// Typed access to summary.json / config.json fields with errors that name the file and the field path
// ("results[1].metrics.auc: expected a number, got "x"").
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace speechleak::report {

class JsonFields {
 public:
  JsonFields(const std::filesystem::path& file, std::string where) : file_(file), where_(std::move(where)) {}

  // A member of `object`; throws FormatError when `object` is not an object or lacks it.
  const nlohmann::json& need(const nlohmann::json& object, const std::string& key) const;
  double number(const nlohmann::json& object, const std::string& key) const;
  std::optional<double> optional_number(const nlohmann::json& object, const std::string& key) const;
  size_t count(const nlohmann::json& object, const std::string& key) const;
  std::string string(const nlohmann::json& object, const std::string& key) const;
  // Absent or null: empty string.
  std::string optional_string(const nlohmann::json& object, const std::string& key) const;

  // "<where>.<key>"; an empty key names <where> itself.
  std::string path(const std::string& key) const {
    return where_.empty() ? key : key.empty() ? where_ : where_ + "." + key;
  }
  [[noreturn]] void fail(const std::string& key, const std::string& expected, const nlohmann::json& got) const;

 private:
  std::filesystem::path file_;
  std::string where_;
};

// Parses a JSON file; FileError when missing, FormatError naming the file when it is not JSON.
nlohmann::json read_json_file(const std::filesystem::path& file);

}  // namespace speechleak::report
