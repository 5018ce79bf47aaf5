#include "csv_writer.h"

namespace lexos::clients {

namespace {

bool formulaStart(char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }

// Characters after which a spreadsheet may start a new cell, whatever separator it assumes.
bool cellBreak(char c) { return c == ',' || c == ';' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string CsvWriter::cell(const std::string& value) {
  // A spreadsheet guesses the separator from the locale or the file (',' ';' or tab). Opened
  // with another separator than ours, quoting no longer lines up with the cells: LibreOffice Calc
  // with ';' splits "Semi2;=21*2;x" into three cells, quoted or not, and runs "=21*2". So a
  // formula character is neutralised wherever a cell can begin under any of those separators:
  // at the start of the field, and after a separator candidate or line break inside it (quotes
  // in between do not help: Calc runs `"=4+4"` too). Leading tab and CR are neutralised as well,
  // as OWASP advises (some spreadsheets drop them and then see the formula).
  std::string body;
  body.reserve(value.size() + 2);
  bool neutralised = false, atCellStart = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (atCellStart && (formulaStart(c) || (i == 0 && (c == '\t' || c == '\r')))) {
      // The leading quote makes a spreadsheet show the text as text (OWASP, CSV injection).
      body += '\'';
      neutralised = true;
    }
    if (c == '"') body += '"';
    body += c;
    if (cellBreak(c))
      atCellStart = true;
    else if (c != '"')
      atCellStart = false;
  }
  if (!neutralised && value.find_first_of(",;\t\"\r\n") == std::string::npos) return value;
  return "\"" + body + "\"";
}

void CsvWriter::row(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    line += cell(fields[i]);
  }
  line += "\r\n";
  out_ << line;
}

}  // namespace lexos::clients
