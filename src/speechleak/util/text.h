#pragma once
// Small string helpers shared by the file-format readers.
#include <string>
#include <string_view>
#include <vector>

namespace speechleak::text {

std::string_view trim(std::string_view s);
// Splits on any run of whitespace; no empty fields.
std::vector<std::string> split_ws(std::string_view s);
// Splits on a single character; keeps empty fields. max_fields > 0: the last field keeps the rest of the line.
std::vector<std::string> split(std::string_view s, char sep, size_t max_fields = 0);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
// Parses a whole field as a number; throws InvalidArgument naming `what` when it is not one.
double parse_double(std::string_view s, const std::string& what);
long long parse_int(std::string_view s, const std::string& what);
// Joins with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// `s` padded with spaces to `width` characters (bytes), on the right (left-aligned) or on the left.
std::string pad_right(std::string_view s, size_t width);
std::string pad_left(std::string_view s, size_t width);

}  // namespace speechleak::text
