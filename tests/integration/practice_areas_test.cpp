// Practice areas (issue 13): a firm's own phase lists per area of law, each phase counting as one
// of the six built-in phases. Staff API, the database's own checks, and the portal's view of a
// matter's phases, on both backends.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <catch2/catch.hpp>

#include "test_host.h"

using namespace lexos::test;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser p;
  return p.parse(json).extract<Object::Ptr>();
}

std::string text(const Object::Ptr& o, const std::string& key) {
  return o->isNull(key) ? std::string("<null>") : o->get(key).convert<std::string>();
}

std::string errorField(const HttpResult& r) {
  try {
    auto e = parse(r.body)->getObject("error");
    return e && e->has("field") ? e->getValue<std::string>("field") : "";
  } catch (...) {
    return "";
  }
}

std::string create(HttpClient& c, const std::string& path, const std::string& body) {
  auto r = c.post(path, body);
  INFO(path << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 201);
  return jsonField(r.body, "id");
}

// The labels of a JSON array of phases, joined by '|'.
std::string labels(const Array::Ptr& phases) {
  std::string s;
  for (std::size_t i = 0; i < phases->size(); ++i) s += (i ? "|" : "") + phases->getObject(i)->getValue<std::string>("label");
  return s;
}

std::string raw(HttpClient& c, const std::string& route, const std::string& sql) {
  std::string q;
  Poco::URI::encode(sql, "&=+?#;/%'", q);
  auto r = c.get(route + "?sql=" + q);
  REQUIRE(r.status == 200);
  return r.body;
}

struct World {
  explicit World(Db db) : t(db, "probe,clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n") {
    t.firm("alpha");
    t.firm("beta");
    t.staff("alpha", "owner@alpha.test", "owner");
    t.staff("alpha", "para@alpha.test", "paralegal");
    t.staff("beta", "owner@beta.test", "owner");
  }
  TempDir plugins;
  TestHost t;
};

}  // namespace

TEST_CASE("an estate-planning matter moves through its area's phases and is never set to trial") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  World w(db);
  HttpClient owner = w.t.signedIn("alpha", "owner@alpha.test");
  HttpClient para = w.t.signedIn("alpha", "para@alpha.test");
  HttpClient beta = w.t.signedIn("beta", "owner@beta.test");

  // The templates, and an area made from one.
  auto r = owner.get("/api/v1/practice-areas/templates");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.body, Catch::Contains("estate_planning") && Catch::Contains("Drafting") && Catch::Contains("Litigation"));
  CHECK(para.post("/api/v1/practice-areas", R"({"template":"estate_planning"})").status == 403);
  const auto estate = create(owner, "/api/v1/practice-areas", R"({"template":"estate_planning"})");
  r = owner.get("/api/v1/practice-areas");
  REQUIRE(r.status == 200);
  auto items = parse(r.body)->getArray("items");
  REQUIRE(items->size() == 1);
  CHECK(text(items->getObject(0), "name") == "Estate planning");
  CHECK(labels(items->getObject(0)->getArray("phases")) == "Intake|Drafting|Review|Signing|Funding|Closed");

  // Bad input: a 400 naming the field (or 409 for a taken name), and nothing changes.
  r = owner.post("/api/v1/practice-areas", R"({"name":"","phases":[{"label":"A","builtin_phase":"intake"}]})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "name");
  r = owner.post("/api/v1/practice-areas", R"({"name":"Tax","phases":[{"label":"A","builtin_phase":"appeal"}]})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phases[0].builtin_phase");
  r = owner.post("/api/v1/practice-areas", R"({"name":"Tax","phases":[]})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phases");
  r = owner.post("/api/v1/practice-areas",
                 R"({"name":"Tax","phases":[{"label":"Filing","builtin_phase":"active"},{"label":"filing","builtin_phase":"closed"}]})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phases[1].key");
  r = owner.post("/api/v1/practice-areas", R"({"name":"Tax","phases":[{"key":"9x","label":"X","builtin_phase":"active"}]})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phases[0].key");
  r = owner.post("/api/v1/practice-areas", R"({"template":"space_law"})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "template");
  r = owner.post("/api/v1/practice-areas", R"({"template":"estate_planning","name":"ESTATE PLANNING"})");
  CHECK(r.status == 409);
  CHECK(errorField(r) == "name");
  CHECK(parse(owner.get("/api/v1/practice-areas").body)->getArray("items")->size() == 1);

  // A case in the area: its phases, the built-in phase each counts as.
  const auto client = create(owner, "/api/v1/clients", R"({"name":"Edna Estate"})");
  r = owner.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Will\",\"practice_area_id\":" + estate +
                                      ",\"phase\":\"trial\"}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phase");
  CHECK(parse(owner.get("/api/v1/cases").body)->getArray("items")->size() == 0);
  r = owner.post("/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Will\",\"practice_area_id\":" + estate +
                                      ",\"phase\":\"drafting\"}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto kase = jsonField(r.body, "id");
  auto c = parse(r.body);
  CHECK(text(c, "practice_area") == "Estate planning");
  CHECK(text(c, "practice_area_id") == estate);
  CHECK(text(c, "phase") == "drafting");
  CHECK(text(c, "builtin_phase") == "active");
  CHECK(text(c, "phase_label") == "Drafting");
  CHECK(text(c, "progress_percent") == "33");
  CHECK(labels(c->getArray("phases")) == "Intake|Drafting|Review|Signing|Funding|Closed");
  CHECK(owner.get("/api/v1/cases?phase=active").body.find("\"Will\"") != std::string::npos);
  CHECK(owner.get("/api/v1/cases?practice_area_id=" + estate).body.find("\"Will\"") != std::string::npos);

  // Trial is not a phase of estate planning: 400 naming the field, the case unchanged.
  r = owner.request("PATCH", "/api/v1/cases/" + kase, R"({"phase":"trial"})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phase");
  CHECK_THAT(r.body, Catch::Contains("drafting"));
  CHECK(text(parse(owner.get("/api/v1/cases/" + kase).body), "phase") == "drafting");
  // Another firm's area is no area at all.
  CHECK(beta.get("/api/v1/practice-areas").body.find("Estate") == std::string::npos);
  CHECK(beta.request("PATCH", "/api/v1/practice-areas/" + estate, R"({"name":"Mine"})").status == 404);
  CHECK(beta.request("DELETE", "/api/v1/practice-areas/" + estate).status == 404);
  const auto betaClient = create(beta, "/api/v1/clients", R"({"name":"Beta client"})");
  r = beta.post("/api/v1/cases", "{\"client_id\":" + betaClient + ",\"title\":\"B\",\"practice_area_id\":" + estate + "}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "practice_area_id");

  // Signing, then remapping Signing to "closed": the case's built-in phase and closed date follow.
  r = owner.request("PATCH", "/api/v1/cases/" + kase, R"({"phase":"signing"})");
  REQUIRE(r.status == 200);
  CHECK(text(parse(r.body), "phase_label") == "Signing");
  CHECK(text(parse(r.body), "closed_on") == "<null>");
  const std::string phasesClosedSigning =
      R"({"phases":[{"key":"intake","label":"Intake","builtin_phase":"intake"},{"key":"drafting","label":"Drafting","builtin_phase":"active"},)"
      R"({"key":"signing","label":"Signing ceremony","builtin_phase":"closed"},{"key":"closed","label":"Closed","builtin_phase":"closed"}]})";
  r = owner.request("PATCH", "/api/v1/practice-areas/" + estate, phasesClosedSigning);
  INFO(r.body);
  REQUIRE(r.status == 200);
  c = parse(owner.get("/api/v1/cases/" + kase).body);
  CHECK(text(c, "phase") == "signing");
  CHECK(text(c, "phase_label") == "Signing ceremony");
  CHECK(text(c, "builtin_phase") == "closed");
  CHECK(text(c, "closed_on") != "<null>");
  CHECK(owner.get("/api/v1/cases?phase=closed").body.find("\"Will\"") != std::string::npos);

  // A phase holding a case cannot be left out, and an area in use cannot be deleted.
  r = owner.request("PATCH", "/api/v1/practice-areas/" + estate,
                    R"({"name":"Wills","phases":[{"key":"intake","label":"Intake","builtin_phase":"intake"}]})");
  CHECK(r.status == 409);
  CHECK(errorField(r) == "phases");
  CHECK(text(parse(owner.get("/api/v1/cases/" + kase).body), "practice_area") == "Estate planning");  // nothing changed
  CHECK(owner.request("DELETE", "/api/v1/practice-areas/" + estate).status == 409);

  // Renaming the area renames the case's practice area; leaving the area keeps the built-in phase.
  REQUIRE(owner.request("PATCH", "/api/v1/practice-areas/" + estate, R"({"name":"Wills and trusts"})").status == 200);
  CHECK(text(parse(owner.get("/api/v1/cases/" + kase).body), "practice_area") == "Wills and trusts");
  r = owner.request("PATCH", "/api/v1/cases/" + kase, R"({"practice_area_id":null})");
  REQUIRE(r.status == 200);
  c = parse(r.body);
  CHECK(text(c, "practice_area_id") == "<null>");
  CHECK(text(c, "phase") == "closed");
  CHECK(labels(c->getArray("phases")) == "Intake|Active|Discovery|Trial|Settled|Closed");
  // Back into an area without a phase: the area's phase counting as the same built-in one.
  r = owner.request("PATCH", "/api/v1/cases/" + kase, "{\"practice_area_id\":" + estate + "}");
  REQUIRE(r.status == 200);
  CHECK(text(parse(r.body), "phase") == "signing");
  REQUIRE(owner.request("PATCH", "/api/v1/cases/" + kase, R"({"practice_area_id":null,"phase":"active"})").status == 200);
  r = owner.request("DELETE", "/api/v1/practice-areas/" + estate);
  INFO(r.body);
  CHECK(r.status == 204);
  CHECK(parse(owner.get("/api/v1/practice-areas").body)->getArray("items")->size() == 0);
}

TEST_CASE("the database refuses a case phase its practice area does not have") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  World w(db);
  HttpClient owner = w.t.signedIn("alpha", "owner@alpha.test");
  const auto estate = create(owner, "/api/v1/practice-areas", R"({"template":"estate_planning"})");
  const auto client = create(owner, "/api/v1/clients", R"({"name":"Edna Estate"})");
  const auto kase = create(owner, "/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Will\",\"practice_area_id\":" + estate + "}");
  // The handler checks; below it the database does too (a foreign key on PostgreSQL, triggers on
  // SQLite). A control statement first: the probe's raw SQL may write at all.
  CHECK_THAT(raw(owner, "/api/v1/probe/raw", "UPDATE cases SET title = 'Will 2' WHERE id = " + kase + " RETURNING id"),
             Catch::Contains(kase) && !Catch::Contains("refused"));
  CHECK_THAT(raw(owner, "/api/v1/probe/raw", "UPDATE cases SET area_phase = 'trial' WHERE id = " + kase + " RETURNING id"),
             Catch::Contains("refused"));
  CHECK_THAT(raw(owner, "/api/v1/probe/raw", "UPDATE cases SET phase = 'trial' WHERE id = " + kase + " RETURNING id"),
             Catch::Contains("refused"));
  CHECK_THAT(raw(owner, "/api/v1/probe/raw", "DELETE FROM practice_area_phases WHERE phase_key = 'intake' RETURNING area_id"),
             Catch::Contains("refused"));
  auto c = parse(owner.get("/api/v1/cases/" + kase).body);
  CHECK(text(c, "phase") == "intake");
  CHECK(text(c, "builtin_phase") == "intake");
}

TEST_CASE("the portal shows a matter's practice-area phases by the firm's names and never another firm's areas") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  World w(db);
  HttpClient owner = w.t.signedIn("alpha", "owner@alpha.test");
  HttpClient beta = w.t.signedIn("beta", "owner@beta.test");
  const auto estate = create(owner, "/api/v1/practice-areas",
                             R"({"name":"Estate planning","phases":[{"label":"Getting started","key":"intake","builtin_phase":"intake"},)"
                             R"({"label":"Drafting your will","key":"drafting","builtin_phase":"active"},)"
                             R"({"label":"Signing","builtin_phase":"settled"},{"label":"Done","builtin_phase":"closed"}]})");
  create(beta, "/api/v1/practice-areas",
         R"({"name":"Beta secret area","phases":[{"label":"Beta only phase","builtin_phase":"trial"}]})");
  const auto client = create(owner, "/api/v1/clients", R"({"name":"Edna Estate"})");
  const auto kase = create(owner, "/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Will\",\"practice_area_id\":" +
                                                       estate + ",\"phase\":\"drafting\"}");
  // A matter without an area keeps the built-in phases.
  const auto plain = create(owner, "/api/v1/cases", "{\"client_id\":" + client + ",\"title\":\"Deed\",\"phase\":\"discovery\"}");
  w.t.portalUser("alpha", std::stoll(client), "edna@client.test");
  HttpClient portal = w.t.signedIn("alpha", "edna@client.test");

  auto r = portal.get("/api/v1/portal/cases/" + kase);
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto m = parse(r.body);
  CHECK(text(m, "phase_label") == "Drafting your will");
  CHECK(text(m, "practice_area") == "Estate planning");
  CHECK(text(m, "progress_percent") == "50");
  CHECK(labels(m->getArray("phases")) == "Getting started|Drafting your will|Signing|Done");
  CHECK(r.body.find("Trial") == std::string::npos);
  CHECK(r.body.find("Beta") == std::string::npos);
  r = portal.get("/api/v1/portal/cases");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.body, Catch::Contains("Drafting your will") && Catch::Contains("Discovery") && !Catch::Contains("Beta"));
  m = parse(portal.get("/api/v1/portal/cases/" + plain).body);
  CHECK(labels(m->getArray("phases")) == "Intake|Active|Discovery|Trial|Settled|Closed");
  // Below the handlers: a portal scope reads its own firm's areas and phases (names and labels,
  // not the staff's bookkeeping), and nothing of another firm's.
  const std::string areas = raw(portal, "/api/v1/portal/probe/raw", "SELECT * FROM practice_areas");
  CHECK_THAT(areas, Catch::Contains("Estate planning") && !Catch::Contains("Beta"));
  CHECK_THAT(areas, Catch::Contains("\"created_at\":null"));
  const std::string phases = raw(portal, "/api/v1/portal/probe/raw", "SELECT * FROM practice_area_phases");
  CHECK_THAT(phases, Catch::Contains("Drafting your will") && !Catch::Contains("Beta only phase"));
  // Staff of the other firm see none of it either.
  CHECK(raw(beta, "/api/v1/probe/raw", "SELECT * FROM practice_area_phases").find("Drafting") == std::string::npos);
}
