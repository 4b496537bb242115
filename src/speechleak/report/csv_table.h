#pragma once
// The run directory's CSV files (scores/*.csv, roc/*.csv): a header row naming the columns, then one record per
// line. Columns are found by name, so extra columns (raw_score) and reordering are fine. Every error is a
// FormatError naming the file and, for a bad row, its line.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "speechleak/util/error.h"

namespace speechleak::report {

class CsvTable {
 public:
  // Throws FileError when the file is missing, FormatError when it has no header or a row has the wrong number
  // of fields. Fields may be double-quoted ("" inside quotes is a quote), as RFC 4180 writers produce.
  static CsvTable read(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  size_t rows() const { return rows_.size(); }
  // Index of a header column; FormatError "missing column 'x' (header: a,b,c)" when absent.
  size_t column(const std::string& name) const;

  const std::string& text(size_t row, size_t col) const { return rows_[row][col]; }
  // A finite number; FormatError naming the line and column otherwise.
  double number(size_t row, size_t col) const;
  // 0 or 1 (the `member` column).
  bool flag(size_t row, size_t col) const;
  long long integer(size_t row, size_t col) const;

  // FormatError "<path>: line <N>: <problem>" for a data row.
  FormatError error(size_t row, const std::string& problem) const;

 private:
  std::filesystem::path path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> lines_;  // 1-based file line of each row
};

// Splits one CSV line; throws InvalidArgument on an unterminated quote.
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace speechleak::report
