#include "speechleak/report/html_escape.h"

#include <cctype>

namespace speechleak::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::json& value) {
  const std::string dumped = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(dumped.size());
  // Outside strings JSON never contains these characters, so escaping them everywhere only touches strings.
  for (const char c : dumped) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

bool matches_ci(std::string_view s, size_t at, std::string_view word) {
  if (at + word.size() > s.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[at + k])) != word[k]) return false;
  return true;
}

}  // namespace

std::string js_for_inline_script(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '<' && matches_ci(source, i + 1, "/script")) {
      out += "<\\/";
      ++i;  // skip the '/', keep "script" in its original case
    } else if (source[i] == '<' && matches_ci(source, i + 1, "!--")) {
      out += "<\\!";
      ++i;
    } else {
      out += source[i];
    }
  }
  return out;
}

}  // namespace speechleak::report
