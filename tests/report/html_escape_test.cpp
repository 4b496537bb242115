// Escaping of run-provided strings into the three contexts of the page.
#include <gtest/gtest.h>

#include "speechleak/report/html_escape.h"

namespace speechleak::report {
namespace {

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain 103-1240-0000 ünïcode"), "plain 103-1240-0000 ünïcode");
  EXPECT_EQ(html_escape(""), "");
}

TEST(JsonForScript, NoAngleBracketOrAmpersandSurvives) {
  const nlohmann::json value = {{"utt", "</script><script>alert(1)</script>"}, {"c", "<!-- & -->"}};
  const std::string out = json_for_script(value);
  EXPECT_EQ(out.find('<'), std::string::npos) << out;
  EXPECT_EQ(out.find('>'), std::string::npos) << out;
  EXPECT_EQ(out.find('&'), std::string::npos) << out;
  EXPECT_NE(out.find("\\u003c/script\\u003e"), std::string::npos) << out;
  EXPECT_EQ(nlohmann::json::parse(out), value);  // JSON.parse gets the original strings back
}

TEST(JsonForScript, InvalidUtf8IsReplacedNotThrown) {
  const nlohmann::json value = {{"id", std::string("spk\xff\xfe")}};
  std::string out;
  ASSERT_NO_THROW(out = json_for_script(value));
  EXPECT_NE(out.find("spk\xef\xbf\xbd"), std::string::npos) << out;  // U+FFFD
}

TEST(JsInlineScript, BreaksScriptEndTagsAndCommentOpeners) {
  EXPECT_EQ(js_for_inline_script("var s = '</script>'; var t = '</SCRIPT '; // <!-- x"),
            "var s = '<\\/script>'; var t = '<\\/SCRIPT '; // <\\!-- x");
  EXPECT_EQ(js_for_inline_script("a < b && c </div>"), "a < b && c </div>");
}

}  // namespace
}  // namespace speechleak::report
