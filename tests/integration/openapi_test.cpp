// GET /api/v1/openapi.json (app/openapi.h) against lexosd with every bundled module and the
// probe plugin, on SQLite and PostgreSQL: every registered route is described with its
// permission, audience and plugin; only staff holding core.api.read may read it; a module a
// firm switched off is left out of that firm's description and no other's. The description is
// validated by an independent validator, and real answers checked against it, in
// tests/browser/openapi_*.test.mjs (swagger-parser, ajv).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "identity/accounts.h"
#include "test_host.h"

using lexos::test::Db;
using lexos::test::TestHost;
namespace fs = std::filesystem;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& text) {
  Poco::JSON::Parser p;
  return p.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TEST_CASE("openapi.json describes every registered route with its permission, audience and plugin") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(lexos::test::dbName(db));
  lexos::test::TempDir plugins;
  const std::string dir = lexos::test::bundledPluginsDir(plugins);
  std::string enabled = "probe";
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".so" && e.path().stem() != "probe") enabled += "," + e.path().stem().string();
  TestHost t(db, enabled, "[plugins]\ndir = " + dir + "\n[plugin.schedules]\nfeed_secret = openapi-feed-secret\n");
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "attorney@alpha.test", "attorney");
  t.staff("beta", "owner@beta.test", "owner");
  auto owner = t.signedIn("alpha", "owner@alpha.test");

  auto res = owner.get("/api/v1/openapi.json");
  REQUIRE(res.status == 200);
  CHECK_THAT(res.header("content-type"), Catch::StartsWith("application/json"));
  auto doc = parse(res.body);
  CHECK(doc->getValue<std::string>("openapi") == "3.1.0");
  auto paths = doc->getObject("paths");
  const auto& routes = t.host->registry().routes();
  REQUIRE(routes.size() > 100);
  std::size_t described = 0;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const auto& r = routes[i];
    const std::string name = std::string(lexos::sdk::methodName(r.route.method)) + " " + r.route.path;
    INFO(name);
    REQUIRE(paths->has(r.route.path));
    auto op = paths->getObject(r.route.path)->getObject(lower(lexos::sdk::methodName(r.route.method)));
    REQUIRE(op);
    CHECK(op->getValue<std::string>("x-lexos-permission") == r.route.permission);
    CHECK(op->getValue<std::string>("x-lexos-plugin") == r.plugin);
    const char* audience = r.route.audience == lexos::sdk::Audience::Public ? "public"
                           : r.route.audience == lexos::sdk::Audience::Staff ? "staff" : "portal";
    CHECK(op->getValue<std::string>("x-lexos-audience") == audience);
    CHECK(op->getArray("tags")->getElement<std::string>(0) == r.plugin);
    if (t.host->registry().description(i)) ++described;
  }
  // Every bundled module declares the schemas of its main routes.
  CHECK(described >= 40);
  auto login = paths->getObject("/api/v1/auth/login")->getObject("post");
  CHECK(login->getArray("security")->size() == 0);  // public: no credentials
  auto create = paths->getObject("/api/v1/clients")->getObject("post");
  CHECK(create->getArray("security")->getObject(0)->has("csrf"));
  CHECK(create->getObject("responses")->has("201"));
  CHECK(doc->getObject("components")->getObject("schemas")->has("Error"));

  // Staff without core.api.read, portal users and anonymous callers do not get it.
  CHECK(t.signedIn("alpha", "attorney@alpha.test").get("/api/v1/openapi.json").status == 403);
  CHECK(t.client().get("/api/v1/openapi.json").status == 401);

  // A module alpha switched off is not described to alpha; beta still sees it.
  lexos::core::Accounts(*t.host).setModule("alpha", "billing", false);
  auto off = parse(owner.get("/api/v1/openapi.json").body);
  CHECK_FALSE(off->getObject("paths")->has("/api/v1/invoices"));
  CHECK(off->getObject("paths")->has("/api/v1/clients"));
  auto beta = parse(t.signedIn("beta", "owner@beta.test").get("/api/v1/openapi.json").body);
  CHECK(beta->getObject("paths")->has("/api/v1/invoices"));
}
