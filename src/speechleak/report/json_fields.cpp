#include "speechleak/report/json_fields.h"

#include <cmath>

#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/json_number.h"

namespace speechleak::report {

namespace {

// Short rendering of an offending value for error messages.
std::string shown(const nlohmann::json& j) {
  std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

}  // namespace

void JsonFields::fail(const std::string& key, const std::string& expected, const nlohmann::json& got) const {
  throw FormatError(file_, path(key) + ": expected " + expected + ", got " + shown(got));
}

const nlohmann::json& JsonFields::need(const nlohmann::json& object, const std::string& key) const {
  if (!object.is_object()) throw FormatError(file_, (where_.empty() ? "top level" : where_) + ": expected an object");
  auto it = object.find(key);
  if (it == object.end()) throw FormatError(file_, path(key) + ": missing");
  return *it;
}

double JsonFields::number(const nlohmann::json& object, const std::string& key) const {
  const nlohmann::json& v = need(object, key);
  if (!v.is_number() || !std::isfinite(v.get<double>())) fail(key, "a number", v);
  return v.get<double>();
}

std::optional<double> JsonFields::optional_number(const nlohmann::json& object, const std::string& key) const {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return std::nullopt;
  return number(object, key);
}

size_t JsonFields::count(const nlohmann::json& object, const std::string& key) const {
  const nlohmann::json& v = need(object, key);
  const auto n = json_integer<size_t>(v);
  if (!n) fail(key, "a non-negative integer", v);
  return *n;
}

std::string JsonFields::string(const nlohmann::json& object, const std::string& key) const {
  const nlohmann::json& v = need(object, key);
  if (!v.is_string()) fail(key, "a string", v);
  return v.get<std::string>();
}

std::string JsonFields::optional_string(const nlohmann::json& object, const std::string& key) const {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return {};
  return string(object, key);
}

nlohmann::json read_json_file(const std::filesystem::path& file) {
  const std::string text = read_text_file(file);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range: a number past a double
    throw FormatError(file, std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace speechleak::report
