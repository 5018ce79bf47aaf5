#pragma once
// RFC 4180 CSV output that is safe to open in a spreadsheet.

#include <ostream>
#include <string>
#include <vector>

namespace lexos::clients {

/// Writes CSV records to a stream: CRLF line ends, fields quoted when they hold a comma, quote
/// or line break (quotes doubled). A field that starts with '=', '+', '-', '@', a tab or a
/// carriage return gets a leading single quote, so that a spreadsheet shows it as text and does
/// not run it as a formula (CSV injection, OWASP). Not thread-safe; one per response.
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
