// The log an administrator reads (docs/operations.md, "Logs"), from lexosd run as a process: one
// access line per request with the route's template, status, bytes, duration, request id and the
// caller's firm; never a password, a token in a path, or a query string (a search for a person's
// name); log.format = json gives lines a JSON parser reads; log.levels quiets a component.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "http_client.h"
#include "lexosd_process.h"
#include "test_host.h"

using namespace lexos::test;

namespace {

constexpr const char* kSecretName = "Zebediah Quarrington";
constexpr const char* kFeedToken = "feedtoken-4f0c9a7e1b2d";

struct Site {
  TempDir dir;
  std::string config;
  explicit Site(const std::string& logSection) {
    config = writeConfig(dir.path, Db::SQLite, "probe,clients",
                         "[plugins]\ndir = " + bundledPluginsDir(dir) + "\n" + logSection);
    std::string out;
    REQUIRE(lexosctl(config, "migrate", out) == 0);
    REQUIRE(lexosctl(config, "firm create --slug alpha --name Alpha", out) == 0);
    REQUIRE(lexosctl(config, "user create --firm alpha --email owner@alpha.test --role owner --password-stdin", out,
                     std::string(TestHost::kPassword) + "\n") == 0);
  }
};

/// The requests whose lines the tests read: a sign-in (a password in the body), a search for a
/// name (in the query), a client by id, a path with a token under /api that matches no route.
void browse(int port, std::string& clientId) {
  HttpClient c(port);
  REQUIRE(c.login("alpha", "owner@alpha.test", TestHost::kPassword).status == 200);
  const auto made = c.request("POST", "/api/v1/clients", std::string("{\"name\":\"") + kSecretName + "\"}");
  REQUIRE(made.status == 201);
  Poco::JSON::Parser p;
  clientId = p.parse(made.body).extract<Poco::JSON::Object::Ptr>()->get("id").toString();
  REQUIRE(c.get("/api/v1/clients?q=Zebediah%20Quarrington").status == 200);
  REQUIRE(c.get("/api/v1/clients/" + clientId).status == 200);
  REQUIRE(c.get(std::string("/api/v1/calendar/feeds/") + kFeedToken).status == 404);
}

std::vector<std::string> lines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

void checkNothingSecret(const std::string& log, const std::string& clientId) {
  CHECK(log.find(TestHost::kPassword) == std::string::npos);
  CHECK(log.find("Zebediah") == std::string::npos);  // neither the query nor the body
  CHECK(log.find(kFeedToken) == std::string::npos);
  CHECK(log.find("/api/v1/clients/" + clientId) == std::string::npos);  // the template instead
  CHECK(log.find("lexos_session") == std::string::npos);
}

}  // namespace

TEST_CASE("lexosd's access lines name the route template, status, bytes, duration, request id and firm, and nothing secret") {
  Site site("[log]\nlevel = information\n");
  std::string clientId, log;
  {
    LexosdProcess d(site.config, site.dir.path + "/lexosd.log", {{"LEXOS_LOG_LEVEL", "information"}});
    browse(d.port(), clientId);
    d.signal(SIGTERM);
    REQUIRE(d.wait(30000).value_or(-1) == 0);
    log = d.log();
  }
  INFO(log);
  const auto has = [&](const std::string& re) {
    for (const auto& l : lines(log))
      if (std::regex_search(l, std::regex(re))) return true;
    return false;
  };
  // "<time> Information access: <rid> <address> <METHOD> <route> [firm=F user=U] <status> <bytes> <ms>ms"
  CHECK(has(R"(access: [0-9a-f]{16} 127\.0\.0\.1 POST /api/v1/auth/login (firm=[0-9]+ user=[0-9]+ )?200 [0-9]+ [0-9.]+ms$)"));
  CHECK(has(R"(access: [0-9a-f]{16} 127\.0\.0\.1 POST /api/v1/clients firm=[0-9]+ user=[0-9]+ 201 [0-9]+ [0-9.]+ms$)"));
  CHECK(has(R"(access: [0-9a-f]{16} 127\.0\.0\.1 GET /api/v1/clients firm=[0-9]+ user=[0-9]+ 200 [0-9]+ [0-9.]+ms$)"));
  CHECK(has(R"(access: [0-9a-f]{16} 127\.0\.0\.1 GET /api/v1/clients/\{id\} firm=[0-9]+ user=[0-9]+ 200 [0-9]+ [0-9.]+ms$)"));
  CHECK(has(R"(access: [0-9a-f]{16} 127\.0\.0\.1 GET \(no route\) 404 [0-9]+ [0-9.]+ms$)"));
  checkNothingSecret(log, clientId);
}

TEST_CASE("log.format json writes one JSON object per line with the access fields") {
  Site site("[log]\nlevel = information\nformat = json\n");
  std::string clientId, log;
  {
    LexosdProcess d(site.config, site.dir.path + "/lexosd.log", {{"LEXOS_LOG_LEVEL", "information"}});
    browse(d.port(), clientId);
    d.signal(SIGTERM);
    REQUIRE(d.wait(30000).value_or(-1) == 0);
    log = d.log();
  }
  INFO(log);
  int access = 0, lexosd = 0;
  bool sawTemplate = false, sawSearch = false;
  for (const auto& l : lines(log)) {
    Poco::JSON::Object::Ptr o;
    try {
      Poco::JSON::Parser p;
      o = p.parse(l).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception& e) {
      FAIL("not one JSON object: " << l);
    }
    REQUIRE(o->has("time"));
    REQUIRE(o->has("level"));
    REQUIRE(o->has("message"));
    const std::string component = o->getValue<std::string>("component");
    if (component == "lexosd" && o->getValue<std::string>("message").find("listening on http://127.0.0.1:") == 0) {
      ++lexosd;
      CHECK(o->getValue<std::string>("level") == "information");
    }
    if (component != "access") continue;
    ++access;
    CHECK(o->get("status").isInteger());
    CHECK(o->get("bytes").isInteger());
    CHECK(o->getValue<std::string>("request_id").size() == 16);
    CHECK(o->getValue<std::string>("address") == "127.0.0.1");
    const std::string route = o->getValue<std::string>("route");
    if (route == "/api/v1/clients/{id}") {
      sawTemplate = true;
      CHECK(o->getValue<int>("status") == 200);
      CHECK(o->getValue<std::int64_t>("firm_id") > 0);
      CHECK(o->getValue<std::int64_t>("user_id") > 0);
      CHECK(o->getValue<std::string>("audience") == "staff");
    }
    if (route == "/api/v1/clients" && o->getValue<std::string>("method") == "GET") sawSearch = true;
  }
  CHECK(access >= 5);
  CHECK(sawTemplate);
  CHECK(sawSearch);
  CHECK(lexosd == 1);
  checkNothingSecret(log, clientId);
}

TEST_CASE("log.levels quiets one component and leaves the others at log.level") {
  Site site("[log]\nlevel = information\nlevels = access=warning\n");
  std::string clientId, log;
  {
    LexosdProcess d(site.config, site.dir.path + "/lexosd.log", {{"LEXOS_LOG_LEVEL", "information"}});
    browse(d.port(), clientId);
    d.signal(SIGTERM);
    REQUIRE(d.wait(30000).value_or(-1) == 0);
    log = d.log();
  }
  INFO(log);
  CHECK(log.find(" access: ") == std::string::npos);
  CHECK(log.find("lexosd: listening on http://127.0.0.1:") != std::string::npos);
  CHECK(log.find("lexosd: stopped") != std::string::npos);
}
