// `lexosctl demo` builds the brief's isolation story through the real API.
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include "cli/demo.h"
#include "test_host.h"

using namespace lexos::test;

TEST_CASE("the demo firm shows Mr. Anderson only his own matter and its shared updates") {
  TempDir plugins, dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, "clients,cases,portal"), {});
  cfg.plugins_dir = bundledPluginsDir(plugins);
  std::ostringstream out;
  lexos::core::createDemo(cfg, "demo", out);
  std::smatch m;
  const std::string text = out.str();
  REQUIRE(std::regex_search(text, m, std::regex("anderson@demo.example, password (\\S+)")));
  const std::string andersonPassword = m[1].str();
  REQUIRE(std::regex_search(text, m, std::regex("owner@demo.example, password (\\S+)")));
  const std::string ownerPassword = m[1].str();

  lexos::core::Host host(cfg);
  host.prepareDatabase();
  host.startServer();
  HttpClient neo(host.port());
  REQUIRE(neo.login("demo", "anderson@demo.example", andersonPassword).status == 200);
  auto cases = neo.get("/api/v1/portal/cases");
  CHECK_THAT(cases.body, Catch::Contains("State vs. Fouchix"));
  CHECK_THAT(cases.body, !Catch::Contains("Zion"));
  HttpClient owner(host.port());
  REQUIRE(owner.login("demo", "owner@demo.example", ownerPassword).status == 200);
  CHECK_THAT(owner.get("/api/v1/cases").body, Catch::Contains("Zion"));
  host.stopServer();
  // A second run refuses to overwrite the firm.
  std::ostringstream again;
  CHECK_THROWS_WITH(lexos::core::createDemo(cfg, "demo", again), Catch::Contains("already exists"));
}
