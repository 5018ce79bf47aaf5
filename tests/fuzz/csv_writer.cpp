// Fuzz target: the CSV export writer (plugins/clients/csv_writer.cpp).
// Input: the fields of one record, separated by NUL bytes. Properties: the record ends in CRLF;
// read back as RFC 4180 it gives the same number of fields, each the input or, for a field that
// starts with = + - @ tab or CR, the input behind a single quote; so no field read back starts
// with a character that makes a spreadsheet evaluate it.

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

bool startsFormula(const std::string& v) {
  return !v.empty() &&
         (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r');
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
    FUZZ_CHECK(back[i] == (startsFormula(in[i]) ? "'" + in[i] : in[i]));
    FUZZ_CHECK(!startsFormula(back[i]));
  }
  return 0;
}
