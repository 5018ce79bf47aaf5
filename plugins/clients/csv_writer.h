#pragma once
// RFC 4180 CSV output that is safe to open in a spreadsheet.

#include <ostream>
#include <string>
#include <vector>

namespace lexos::clients {

/// Writes CSV records to a stream (RFC 4180): ',' between fields, CRLF line ends, a field quoted
/// when it holds any separator a spreadsheet may assume (',' ';' tab), a quote or a line break
/// (quotes doubled). A field that starts with '=', '+', '-', '@', a tab or a carriage return is
/// quoted and gets a single quote before that character, inside the quotes, so that a
/// spreadsheet shows it as text and does not run it as a formula (CSV injection, OWASP). So does
/// a '=', '+', '-' or '@' right after a ',' ';' tab or line break inside a field (quotes between
/// them aside), where a spreadsheet that assumes another separator starts a cell. Not
/// thread-safe; one per response.
class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  /// Writes one record.
  void row(const std::vector<std::string>& fields);
  /// One field as it appears in the file.
  static std::string cell(const std::string& value);

 private:
  std::ostream& out_;
};

}  // namespace lexos::clients
