#include "speechleak/report/csv_table.h"

#include <cmath>

#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"

namespace speechleak::report {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) throw InvalidArgument("unterminated quoted field");
  return fields;
}

CsvTable CsvTable::read(const std::filesystem::path& path) {
  CsvTable t;
  t.path_ = path;
  const std::vector<std::string> lines = read_lines(path);
  size_t i = 0;
  while (i < lines.size() && text::trim(lines[i]).empty()) ++i;
  if (i == lines.size()) throw FormatError(path, "empty file; expected a header row");
  try {
    t.header_ = split_csv_line(lines[i]);
  } catch (const InvalidArgument& e) {
    throw FormatError(path, "line " + std::to_string(i + 1) + ": " + e.what());
  }
  for (auto& h : t.header_) h = std::string(text::trim(h));
  for (++i; i < lines.size(); ++i) {
    if (text::trim(lines[i]).empty()) continue;  // a trailing blank line is not a record
    std::vector<std::string> fields;
    try {
      fields = split_csv_line(lines[i]);
    } catch (const InvalidArgument& e) {
      throw FormatError(path, "line " + std::to_string(i + 1) + ": " + e.what());
    }
    if (fields.size() != t.header_.size())
      throw FormatError(path, "line " + std::to_string(i + 1) + ": expected " + std::to_string(t.header_.size()) +
                                  " fields (" + text::join(t.header_, ",") + "), got " +
                                  std::to_string(fields.size()));
    t.rows_.push_back(std::move(fields));
    t.lines_.push_back(i + 1);
  }
  return t;
}

size_t CsvTable::column(const std::string& name) const {
  for (size_t c = 0; c < header_.size(); ++c)
    if (header_[c] == name) return c;
  throw FormatError(path_, "missing column '" + name + "' (header: " + text::join(header_, ",") + ")");
}

FormatError CsvTable::error(size_t row, const std::string& problem) const {
  return FormatError(path_, "line " + std::to_string(lines_[row]) + ": " + problem);
}

double CsvTable::number(size_t row, size_t col) const {
  double v = 0;
  try {
    v = text::parse_double(rows_[row][col], header_[col]);
  } catch (const InvalidArgument& e) {
    throw error(row, e.what());
  }
  if (!std::isfinite(v)) throw error(row, header_[col] + ": expected a finite number, got '" + rows_[row][col] + "'");
  return v;
}

long long CsvTable::integer(size_t row, size_t col) const {
  try {
    return text::parse_int(rows_[row][col], header_[col]);
  } catch (const InvalidArgument& e) {
    throw error(row, e.what());
  }
}

bool CsvTable::flag(size_t row, size_t col) const {
  const std::string_view v = text::trim(rows_[row][col]);
  if (v == "1") return true;
  if (v == "0") return false;
  throw error(row, header_[col] + ": expected 0 or 1, got '" + rows_[row][col] + "'");
}

}  // namespace speechleak::report
