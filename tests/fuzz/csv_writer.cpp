// Fuzz target: the CSV export writer (plugins/clients/csv_writer.cpp).
// Input: the fields of one record, separated by NUL bytes. Properties: the record ends in CRLF;
// read back as RFC 4180 it gives the same number of fields, each the input with a single quote
// before every = + - @ where a cell may start under any separator (and before a leading tab or
// CR); and no such place in the text read back starts with a formula character.

#include "csv_writer.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_check.h"

namespace {

// RFC 4180 reader for one record ending in CRLF; false when the text is not such a record.
bool readRecord(const std::string& s, std::vector<std::string>& fields) {
  std::size_t i = 0;
  const std::size_t end = s.size() - 2;  // the CRLF
  while (true) {
    std::string f;
    if (i < end && s[i] == '"') {
      ++i;
      while (true) {
        if (i >= end) return false;
        if (s[i] == '"') {
          if (i + 1 < end && s[i + 1] == '"') {
            f += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f += s[i++];
      }
    } else {
      while (i < end && s[i] != ',') {
        if (s[i] == '"' || s[i] == '\r' || s[i] == '\n') return false;  // must have been quoted
        f += s[i++];
      }
    }
    fields.push_back(f);
    if (i == end) return true;
    if (s[i] != ',') return false;
    ++i;
  }
}

bool formulaChar(char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }
bool cellBreak(char c) { return c == ',' || c == ';' || c == '\t' || c == '\r' || c == '\n'; }

// What the field must read back as: the input with a single quote before every formula
// character where a spreadsheet may start a cell under any separator (the start, or after a
// separator candidate or line break, quotes in between), and before a leading tab or CR.
std::string neutralised(const std::string& v) {
  std::string out;
  bool atStart = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (atStart && (formulaChar(c) || (i == 0 && (c == '\t' || c == '\r')))) out += '\'';
    out += c;
    if (cellBreak(c)) atStart = true;
    else if (c != '"') atStart = false;
  }
  return out;
}

// The safety property itself, independent of how the writer gets there: in the text read back,
// no place where a spreadsheet could start a cell (whatever separator it assumes) begins with a
// formula character, and the field does not begin with tab or CR.
bool safe(const std::string& v) {
  if (!v.empty() && (v[0] == '\t' || v[0] == '\r')) return false;
  bool atStart = true;
  for (char c : v) {
    if (atStart && formulaChar(c)) return false;
    if (cellBreak(c)) atStart = true;
    else if (c != '"') atStart = false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> in;
  std::string cur;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      in.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(data[i]);
    }
  }
  in.push_back(cur);

  std::ostringstream out;
  lexos::clients::CsvWriter(out).row(in);
  const std::string s = out.str();
  FUZZ_CHECK(s.size() >= 2 && s.compare(s.size() - 2, 2, "\r\n") == 0);
  std::vector<std::string> back;
  FUZZ_CHECK(readRecord(s, back));
  FUZZ_CHECK(back.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    FUZZ_CHECK(back[i] == neutralised(in[i]));
    FUZZ_CHECK(safe(back[i]));
  }
  return 0;
}
