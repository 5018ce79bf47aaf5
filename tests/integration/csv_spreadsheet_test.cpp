// The clients CSV export opened in a real spreadsheet program (issue 9, item 7): LibreOffice Calc,
// headless, reads the exported file with ',', ';' and tab as the separator and writes what it
// made of each cell back out; no cell may have been run as a formula. Needs `soffice` (Debian's
// libreoffice-calc-nogui, installed by scripts/deps.sh); the test fails, naming the package,
// when it is missing.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "data/connection.h"
#include "test_host.h"

using namespace lexos::test;

namespace {

std::string findSoffice() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && ::access((dir + "/soffice").c_str(), X_OK) == 0) return dir + "/soffice";
  return "";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// RFC 4180 records (Calc's own output: ',' and '"').
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
    } else {
      cell += c;
      any = true;
    }
  }
  if (!cell.empty() || !rows.back().empty()) rows.back().push_back(cell);
  if (rows.back().empty()) rows.pop_back();
  (void)any;
  return rows;
}

// Opens each of `files` (in `dir`) in Calc with `separator` (an ASCII code) and returns, per
// file, the cells Calc made of it, written back as text: a formula shows as its result.
std::map<std::string, std::vector<std::vector<std::string>>> openInCalc(
    const std::string& soffice, const std::string& dir, const std::vector<std::string>& files,
    int separator) {
  const std::string out = dir + "/out-" + std::to_string(separator);
  // Filter options: separator, '"' as the text delimiter, UTF-8 (76), from line 1.
  std::string cmd =
      "cd '" + dir + "' && HOME='" + dir + "/home' '" + soffice + "' --headless --norestore " +
      "--infilter='CSV:" + std::to_string(separator) + ",34,76,1' " +
      "--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir '" + out + "'";
  for (const auto& f : files) cmd += " '" + f + "'";
  cmd += " > '" + dir + "/soffice.log' 2>&1";
  const int rc = std::system(cmd.c_str());
  INFO(cmd << "\n" << readFile(dir + "/soffice.log"));
  REQUIRE(rc == 0);
  std::map<std::string, std::vector<std::vector<std::string>>> result;
  for (const auto& f : files) {
    const std::string text = readFile(out + "/" + f);
    INFO("Calc wrote nothing for " << f);
    REQUIRE(!text.empty());
    result[f] = parseCsv(text);
  }
  return result;
}

// The results the payloads below give when a spreadsheet runs them.
const std::set<std::string> kResults = {"42", "2", "1", "-1", "9", "25", "36", "49", "64", "81"};

std::string evaluatedCell(const std::vector<std::vector<std::string>>& rows) {
  for (const auto& r : rows)
    for (const auto& c : r)
      if (kResults.count(c) || c.rfind("Err:", 0) == 0 || c.rfind("#", 0) == 0) return c;
  return "";
}

// Calc keeps a line break inside a cell but may store a lone CR as LF: compare with LF only.
std::string lfOnly(std::string s) {
  for (auto& ch : s)
    if (ch == '\r') ch = '\n';
  return s;
}

bool hasCell(const std::vector<std::vector<std::string>>& rows, const std::string& cell) {
  for (const auto& r : rows)
    for (const auto& c : r)
      if (lfOnly(c) == lfOnly(cell)) return true;
  return false;
}

}  // namespace

TEST_CASE(
    "LibreOffice Calc runs no formula from the clients CSV export, whatever separator it assumes") {
  const std::string soffice = findSoffice();
  if (soffice.empty())
    FAIL(
        "soffice (LibreOffice Calc) not found on PATH: install libreoffice-calc-nogui "
        "(scripts/deps.sh does)");
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins, work;
  TestHost t(db, "probe,clients", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  const auto firmId = t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  std::string lastId;
  for (const char* name :
       {"Semi2;=21*2;x", "=1+1", "@SUM(1)", "+1", "-1", "Q\\\";=5*5;\\\"", "Tab"}) {
    auto r = owner.post("/api/v1/clients", std::string(R"({"name":")") + name + "\"}");
    INFO(name << " -> " << r.body);
    REQUIRE(r.status == 201);
    lastId = jsonField(r.body, "id");
  }
  // Tab and CR leads and line breaks cannot come in through the API (it refuses control
  // characters in these fields), but the export must not depend on that: set them underneath.
  {
    auto c = t.host->ownerConnection();
    c->begin(true);
    if (db == Db::PostgreSQL) {
      c->setScope({firmId, 0});
      c->executeScript(
          "UPDATE clients SET address_line1 = chr(9) || '=6*6', address_line2 = chr(13) || '=7*7', "
          "address_city = 'line' || chr(13) || chr(10) || '=8*8', address_region = 'tab' || chr(9) "
          "|| '=9*9' "
          "WHERE id = " +
          lastId);
    } else {
      c->executeScript(
          "UPDATE lexos_t_clients SET address_line1 = char(9) || '=6*6', address_line2 = char(13) "
          "|| '=7*7', "
          "address_city = 'line' || char(13) || char(10) || '=8*8', address_region = 'tab' || "
          "char(9) || '=9*9' "
          "WHERE id = " +
          lastId);
    }
    c->commit();
  }
  auto csv = owner.get("/api/v1/clients/export.csv");
  REQUIRE(csv.status == 200);
  REQUIRE(csv.body.find("=8*8") != std::string::npos);
  std::ofstream(work.path + "/export.csv", std::ios::binary) << csv.body;
  // The control: the same kind of text written naively. Calc must run it, or this test proves
  // nothing about the export.
  std::ofstream(work.path + "/naive.csv", std::ios::binary)
      << "id,name\r\n1,Semi2;=21*2;x\r\n2,=1+1\r\n3,a\t=9*9\r\n";
  ::mkdir((work.path + "/home").c_str(), 0700);

  for (int separator : {',', ';', '\t'}) {
    INFO("separator " << separator);
    auto cells = openInCalc(soffice, work.path, {"export.csv", "naive.csv"}, separator);
    CHECK(!evaluatedCell(cells["naive.csv"]).empty());
    INFO(readFile(work.path + "/out-" + std::to_string(separator) + "/export.csv"));
    CHECK(evaluatedCell(cells["export.csv"]).empty());
    CHECK(cells["export.csv"].size() >= 8);
  }
  // Read with the writer's own separator, every cell keeps its text (behind the single quote).
  auto cells = openInCalc(soffice, work.path, {"export.csv"}, ',')["export.csv"];
  for (const char* text : {"Semi2;'=21*2;x", "'=1+1", "'@SUM(1)", "'+1", "'-1", "Q\";'=5*5;\"",
                           "'\t'=6*6", "'\r'=7*7", "tab\t'=9*9"}) {
    INFO("cell " << text);
    CHECK(hasCell(cells, text));
  }
}
