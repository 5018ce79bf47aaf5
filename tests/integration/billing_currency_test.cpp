// Billing in the firm's own currency (issue 13 follow-up): money with no client currency to go
// by (a client without a billing currency) takes the firm's default currency from Firm settings
// (SDK FirmProfile version 3), else [plugin.billing] default_currency, else USD. Both backends.
#include <catch2/catch.hpp>

#include "test_host.h"

using namespace lexos::test;

namespace {

std::string idOf(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  REQUIRE((r.status == 200 || r.status == 201));
  return jsonField(r.body, "id");
}

}  // namespace

TEST_CASE("new time and invoices take the firm's default currency when the client has none, another firm keeps its own") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal,billing", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("beta", "owner@beta.test", "owner");
  HttpClient alpha = t.signedIn("alpha", "owner@alpha.test");
  HttpClient beta = t.signedIn("beta", "owner@beta.test");

  auto r = alpha.request("PATCH", "/api/v1/firm", R"({"default_currency":"GBP"})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  // A client without a billing currency, and one in euros.
  const auto plain = idOf(alpha.post("/api/v1/clients", R"({"name":"Plain Client"})"));
  const auto euro = idOf(alpha.post("/api/v1/clients", R"({"name":"Euro Client","billing":{"currency":"EUR"}})"));
  const auto plainCase = idOf(alpha.post("/api/v1/cases", "{\"client_id\":" + plain + ",\"title\":\"Plain matter\"}"));
  const auto euroCase = idOf(alpha.post("/api/v1/cases", "{\"client_id\":" + euro + ",\"title\":\"Euro matter\"}"));

  r = alpha.post("/api/v1/cases/" + plainCase + "/time", R"({"minutes":60,"description":"Advice","rate_minor":20000})");
  REQUIRE(r.status == 201);
  CHECK(jsonField(r.body, "currency") == "GBP");
  r = alpha.post("/api/v1/cases/" + euroCase + "/time", R"({"minutes":60,"description":"Advice","rate_minor":20000})");
  REQUIRE(r.status == 201);
  CHECK(jsonField(r.body, "currency") == "EUR");  // the client's own currency wins
  r = alpha.post("/api/v1/invoices", "{\"client_id\":" + plain + ",\"case_ids\":[" + plainCase + "]}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(jsonField(r.body, "currency") == "GBP");
  CHECK(jsonField(r.body, "total_minor") == "20000");

  // The other firm set none: the module's configured default (USD).
  const auto betaClient = idOf(beta.post("/api/v1/clients", R"({"name":"Beta Client"})"));
  r = beta.post("/api/v1/invoices", "{\"client_id\":" + betaClient + ",\"lines\":[{\"description\":\"Fee\",\"unit_price_minor\":500}]}");
  REQUIRE(r.status == 201);
  CHECK(jsonField(r.body, "currency") == "USD");

  // Changing the firm's currency changes new money only: the draft keeps GBP.
  const auto draft = jsonField(alpha.post("/api/v1/invoices", "{\"client_id\":" + plain +
                                                                 ",\"lines\":[{\"description\":\"Fee\",\"unit_price_minor\":500}]}").body,
                               "id");
  REQUIRE(alpha.request("PATCH", "/api/v1/firm", R"({"default_currency":"CHF"})").status == 200);
  CHECK(jsonField(alpha.get("/api/v1/invoices/" + draft).body, "currency") == "GBP");
  r = alpha.post("/api/v1/invoices", "{\"client_id\":" + plain + ",\"lines\":[{\"description\":\"Fee\",\"unit_price_minor\":500}]}");
  REQUIRE(r.status == 201);
  CHECK(jsonField(r.body, "currency") == "CHF");
}
