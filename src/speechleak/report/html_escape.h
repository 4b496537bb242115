#pragma once
// Escaping for the three contexts the report writes user-controlled text into (utterance and speaker ids, paths,
// warnings, config values): HTML text and attribute values, a JSON data block inside <script>, and the embedded
// charting library itself.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace speechleak::report {

// & < > " ' as character references: safe in element text and in quoted attribute values.
std::string html_escape(std::string_view text);

// JSON for <script type="application/json">: every '<', '>' and '&' becomes a \u escape, so no "</script>",
// "<!--" or "</" can end or confuse the block, and JSON.parse still reads the original strings. Invalid UTF-8
// in input strings is replaced (U+FFFD) instead of throwing.
std::string json_for_script(const nlohmann::json& value);

// JavaScript source made safe to inline in <script>: "</script" (any case) becomes "<\/script" and "<!--"
// becomes "<\!--", which mean the same inside JS strings, regexes and comments.
std::string js_for_inline_script(std::string_view source);

}  // namespace speechleak::report
