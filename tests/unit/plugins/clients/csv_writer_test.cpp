// The clients module's CSV writer (plugins/clients/csv_writer.cpp): RFC 4180 output that no
// spreadsheet runs as a formula, whichever separator it assumes.
#include "clients/csv_writer.h"

#include <catch2/catch.hpp>
#include <sstream>

using lexos::clients::CsvWriter;

TEST_CASE("a CSV field without special characters is written as it is") {
  CHECK(CsvWriter::cell("") == "");
  CHECK(CsvWriter::cell("Baker & Sons Ltd") == "Baker & Sons Ltd");
  CHECK(CsvWriter::cell("a=b+c-d@e") == "a=b+c-d@e");  // formula characters inside are harmless
  CHECK(CsvWriter::cell("Zoë Ünal") == "Zoë Ünal");
}

TEST_CASE("a CSV field holding any separator candidate, a quote or a line break is quoted") {
  CHECK(CsvWriter::cell("Baker, Bob") == "\"Baker, Bob\"");
  CHECK(CsvWriter::cell("Baker; Bob") == "\"Baker; Bob\"");
  CHECK(CsvWriter::cell("Baker\tBob") == "\"Baker\tBob\"");
  CHECK(CsvWriter::cell("Bob \"The Baker\"") == "\"Bob \"\"The Baker\"\"\"");
  CHECK(CsvWriter::cell("line 1\r\nline 2") == "\"line 1\r\nline 2\"");
  CHECK(CsvWriter::cell("line 1\nline 2") == "\"line 1\nline 2\"");
}

TEST_CASE("a CSV field that starts like a formula is quoted and prefixed with a single quote") {
  CHECK(CsvWriter::cell("=1+1") == "\"'=1+1\"");
  CHECK(CsvWriter::cell("+1") == "\"'+1\"");
  CHECK(CsvWriter::cell("-1") == "\"'-1\"");
  CHECK(CsvWriter::cell("@SUM(1)") == "\"'@SUM(1)\"");
  CHECK(CsvWriter::cell("\t=1+1") == "\"'\t'=1+1\"");
  CHECK(CsvWriter::cell("\rx") == "\"'\rx\"");
  CHECK(CsvWriter::cell("=HYPERLINK(\"http://evil.example\")") ==
        "\"'=HYPERLINK(\"\"http://evil.example\"\")\"");
}

TEST_CASE("a formula after a separator candidate inside a CSV field is neutralised too") {
  // Opened with ';' as the separator, "Semi2;=21*2;x" would be three cells and the second a
  // formula.
  CHECK(CsvWriter::cell("Semi2;=21*2;x") == "\"Semi2;'=21*2;x\"");
  CHECK(CsvWriter::cell(";=1+1") == "\";'=1+1\"");
  CHECK(CsvWriter::cell("a,+1") == "\"a,'+1\"");
  CHECK(CsvWriter::cell("a\t@SUM(1)") == "\"a\t'@SUM(1)\"");
  CHECK(CsvWriter::cell("a\n-1") == "\"a\n'-1\"");
  CHECK(CsvWriter::cell("x;\"=4+4\"") == "\"x;\"\"'=4+4\"\"\"");  // quotes between do not help
  CHECK(CsvWriter::cell("a, -1 floor") == "\"a, -1 floor\"");     // a space keeps it text
}

TEST_CASE("CSV records end in CRLF and separate fields with commas") {
  std::ostringstream out;
  CsvWriter csv(out);
  csv.row({"id", "name"});
  csv.row({"1", "Semi2;=21*2;x"});
  csv.row({"2", ""});
  CHECK(out.str() == "id,name\r\n1,\"Semi2;'=21*2;x\"\r\n2,\r\n");
}
