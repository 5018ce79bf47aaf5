// The firm's settings (issue 13, firm administration): GET/PATCH /api/v1/firm, `lexosctl firm
// show|set`, and Context::firm (SDK 1.5) from staff and portal requests, on both backends.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "test_host.h"

using namespace lexos::test;
using Poco::JSON::Object;

namespace {

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser p;
  return p.parse(json).extract<Object::Ptr>();
}

std::string text(const Object::Ptr& o, const std::string& key) {
  return o->isNull(key) ? std::string("<null>") : o->getValue<std::string>(key);
}

std::string errorField(const HttpResult& r) {
  try {
    auto e = parse(r.body)->getObject("error");
    return e && e->has("field") ? e->getValue<std::string>("field") : "";
  } catch (...) {
    return "";
  }
}

std::string run(const std::string& cmd, int* status) {
  std::string out;
  if (FILE* p = popen((cmd + " 2>&1").c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    *status = pclose(p);
  }
  return out;
}

}  // namespace

TEST_CASE("the owner sets the firm's name, address, time zone and country, staff read them and other firms keep theirs") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("alpha", "paralegal@alpha.test", "paralegal");
  t.staff("beta", "owner@beta.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");

  auto r = owner.get("/api/v1/firm");
  REQUIRE(r.status == 200);
  auto f = parse(r.body);
  CHECK(text(f, "slug") == "alpha");
  CHECK(text(f, "time_zone") == "UTC");
  CHECK(text(f, "country").empty());
  CHECK(text(f, "updated_at") == "<null>");

  r = owner.request("PATCH", "/api/v1/firm",
                    R"({"name":"Alpha & Partners LLP","time_zone":"America/Chicago","country":"US",)"
                    R"("address":"  200 W Madison St\nChicago, IL 60606  "})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  f = parse(r.body);
  CHECK(text(f, "name") == "Alpha & Partners LLP");
  CHECK(text(f, "time_zone") == "America/Chicago");
  CHECK(text(f, "country") == "US");
  CHECK(text(f, "country_name") == "United States");
  CHECK(text(f, "address") == "200 W Madison St\nChicago, IL 60606");  // trimmed, lines kept
  CHECK(text(f, "updated_at") != "<null>");

  // A paralegal reads them (and cannot change them); the other firm still has its own.
  HttpClient para = t.signedIn("alpha", "paralegal@alpha.test");
  r = para.get("/api/v1/firm");
  REQUIRE(r.status == 200);
  CHECK(text(parse(r.body), "time_zone") == "America/Chicago");
  CHECK(para.request("PATCH", "/api/v1/firm", R"({"country":"DE"})").status == 403);
  r = t.signedIn("beta", "owner@beta.test").get("/api/v1/firm");
  REQUIRE(r.status == 200);
  CHECK(text(parse(r.body), "slug") == "beta");
  CHECK(text(parse(r.body), "time_zone") == "UTC");

  // A change of one field leaves the others; an empty country clears it.
  r = owner.request("PATCH", "/api/v1/firm", R"({"country":""})");
  REQUIRE(r.status == 200);
  CHECK(text(parse(r.body), "country").empty());
  CHECK(text(parse(r.body), "country_name") == "<null>");
  CHECK(text(parse(r.body), "time_zone") == "America/Chicago");

  // Audited, with the fields named and no values.
  r = owner.get("/api/v1/audit?limit=5");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.body, Catch::Contains("\"action\":\"firm.update\""));
  CHECK_THAT(r.body, !Catch::Contains("Madison"));
}

TEST_CASE("a bad firm setting is refused with 400 naming the field, and nothing changes") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  REQUIRE(owner.request("PATCH", "/api/v1/firm", R"({"time_zone":"Europe/Berlin","country":"DE"})").status == 200);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"time_zone":"Mars/Olympus_Mons"})", "time_zone"},
      {R"({"time_zone":"../../etc/passwd"})", "time_zone"},
      {R"({"time_zone":"/etc/localtime"})", "time_zone"},
      {R"({"time_zone":"posix/Europe/Paris"})", "time_zone"},
      {R"({"time_zone":"iso3166.tab"})", "time_zone"},
      {R"({"time_zone":""})", "time_zone"},
      {R"({"time_zone":7})", "time_zone"},
      {R"({"country":"XX"})", "country"},
      {R"({"country":"de"})", "country"},
      {R"({"country":"USA"})", "country"},
      {R"({"name":"   "})", "name"},
      {R"({"name":"two\nlines"})", "name"},
      {R"({"address":"bell\u0007"})", "address"},
      {R"({"colour":"blue"})", "colour"},
      {R"({"time_zone":"America/Chicago","country":"ZZ"})", "country"},
  };
  for (const auto& [body, field] : bad) {
    auto r = owner.request("PATCH", "/api/v1/firm", body);
    INFO(body << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  auto r = owner.request("PATCH", "/api/v1/firm", "[1]");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "body");
  auto f = parse(owner.get("/api/v1/firm").body);
  CHECK(text(f, "time_zone") == "Europe/Berlin");  // the last refusal changed neither field
  CHECK(text(f, "country") == "DE");
}

TEST_CASE("a plugin reads the firm through Context::firm from staff and portal requests, in the request's scope") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  REQUIRE(owner.request("PATCH", "/api/v1/firm", R"({"time_zone":"America/Chicago","country":"US","address":"1 Main St"})")
              .status == 200);
  // Two probe items: one of client 7 (shared), one of client 8.
  REQUIRE(owner.post("/api/v1/probe/items?client_id=7&visible=1&label=a", "{}").status == 201);
  REQUIRE(owner.post("/api/v1/probe/items?client_id=8&visible=1&label=b", "{}").status == 201);

  auto r = owner.get("/api/v1/probe/firm");
  REQUIRE(r.status == 200);
  auto f = parse(r.body);
  CHECK(text(f, "slug") == "alpha");
  CHECK(text(f, "time_zone") == "America/Chicago");
  CHECK(text(f, "country") == "US");
  CHECK(text(f, "address") == "1 Main St");
  CHECK(f->getValue<int>("items_before") == 2);
  CHECK(f->getValue<int>("items_after") == 2);

  t.portalUser("alpha", 7, "client7@alpha.test");
  HttpClient portal = t.signedIn("alpha", "client7@alpha.test");
  r = portal.get("/api/v1/portal/probe/firm");
  INFO(r.body);
  REQUIRE(r.status == 200);
  f = parse(r.body);
  CHECK(text(f, "time_zone") == "America/Chicago");
  // The portal request sees its own client's item before and after: the staff read of the
  // firm's settings did not leave the transaction in the staff scope.
  CHECK(f->getValue<int>("items_before") == 1);
  CHECK(f->getValue<int>("items_after") == 1);
  // And the portal cannot reach the settings route itself.
  CHECK(portal.get("/api/v1/firm").status == 403);
}

TEST_CASE("lexosctl shows and sets the firm's settings with the same checks") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  const std::string ctl = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path + "/lexos.ini ";
  int status = -1;
  auto out = run(ctl + "firm set --firm alpha --time-zone Asia/Tokyo --country JP --address '1-1 Marunouchi\\nTokyo'",
                 &status);
  INFO(out);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("time_zone\tAsia/Tokyo") && Catch::Contains("country\tJP") &&
                      Catch::Contains("address\t1-1 Marunouchi, Tokyo"));
  out = run(ctl + "firm set --firm alpha --time-zone Nowhere/Special", &status);
  CHECK(status != 0);
  CHECK_THAT(out, Catch::Contains("time_zone"));
  out = run(ctl + "firm show --firm alpha", &status);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("time_zone\tAsia/Tokyo"));
  // lexosd answers the same (the address with its line break).
  t.staff("alpha", "owner@alpha.test", "owner");
  auto f = parse(t.signedIn("alpha", "owner@alpha.test").get("/api/v1/firm").body);
  CHECK(text(f, "address") == "1-1 Marunouchi\nTokyo");
}
