// The clients module (issue 4): model, validation, search, keyset paging, tenancy, export, on
// SQLite and PostgreSQL through the HTTP API, with the bundled clients.so loaded.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "data/connection.h"
#include "test_host.h"

using namespace lexos::test;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser p;
  return p.parse(json).extract<Object::Ptr>();
}

std::string str(const Object::Ptr& o, const std::string& key) {
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

// A lexosd with the clients module, two firms ("alpha", "beta") and signed-in staff.
struct Firms {
  explicit Firms(Db db, const std::string& extra = "")
      : db(db), t(db, "probe,clients", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n" + extra) {
    alphaId = t.firm("alpha");
    betaId = t.firm("beta");
    for (const char* role : {"owner", "attorney", "paralegal", "billing"})
      t.staff("alpha", std::string(role) + "@alpha.test", role);
    t.staff("beta", "owner@beta.test", "owner");
  }
  HttpClient as(const std::string& role, const std::string& firm = "alpha") {
    HttpClient c = t.client();
    REQUIRE(c.login(firm, role + "@" + firm + ".test", TestHost::kPassword).status == 200);
    return c;
  }
  // Creates a client as `c`; returns its id.
  static std::string create(HttpClient& c, const std::string& body) {
    auto r = c.post("/api/v1/clients", body);
    INFO(body << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 201);
    return jsonField(r.body, "id");
  }
  // Runs SQL as the database owner inside firm `firmId`'s scope (PostgreSQL enforces row-level
  // security on the owner too); `sqliteSql` is used on SQLite, where the owner sees the stored
  // tables (lexos_t_<name>) directly.
  void ownerSql(std::int64_t firmId, const std::string& pgSql, const std::string& sqliteSql) {
    auto c = t.host->ownerConnection();
    c->begin(true);
    if (db == Db::PostgreSQL) {
      c->setScope({firmId, 0});
      c->executeScript(pgSql);
    } else {
      c->executeScript(sqliteSql);
    }
    c->commit();
  }

  Db db;
  TempDir plugins;
  TestHost t;
  std::int64_t alphaId = 0, betaId = 0;
};

std::vector<std::string> names(const HttpResult& r) {
  std::vector<std::string> out;
  auto items = parse(r.body)->getArray("items");
  for (std::size_t i = 0; i < items->size(); ++i) out.push_back(items->getObject(i)->getValue<std::string>("name"));
  return out;
}

std::string urlEncode(const std::string& s) {
  std::string out;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += std::string("%") + hex[c >> 4] + hex[c & 15];
  }
  return out;
}

}  // namespace

TEST_CASE("a client is created, read, changed, archived, restored and deleted") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firms f(db);
  auto owner = f.as("owner");

  auto r = owner.post("/api/v1/clients",
                      R"({"name":"  Acme Holdings Ltd ","kind":"organisation","contact_person":"Wile E. Coyote",)"
                      R"("emails":[{"address":"Legal@Acme.Example","label":"legal"},{"address":"ceo@acme.example","primary":true}],)"
                      R"("phones":["+44 (20) 7946-0958", {"number":"0049 30 1234 5678","label":"Berlin"}],)"
                      R"("address":{"line1":"1 Road Runner Way","city":"London","postal_code":"EC1A 1BB","country":"gb"},)"
                      R"("billing":{"email":"AP@acme.example","currency":"gbp","payment_terms_days":30,"tax_id":"GB123456789",)"
                      R"("hourly_rate_minor":25000},"notes":"Met at the\nconference."})");
  REQUIRE(r.status == 201);
  auto c = parse(r.body);
  const std::string id = str(c, "id");
  CHECK(r.header("location") == "/api/v1/clients/" + id);
  CHECK(c->get("id").isInteger());
  CHECK(str(c, "name") == "Acme Holdings Ltd");
  CHECK(str(c, "kind") == "organisation");
  CHECK(str(c, "contact_person") == "Wile E. Coyote");
  CHECK(str(c, "email") == "ceo@acme.example");
  CHECK(str(c, "phone") == "+442079460958");
  CHECK(c->getArray("emails")->size() == 2);
  CHECK(c->getArray("emails")->getObject(0)->getValue<std::string>("address") == "legal@acme.example");
  CHECK(c->getArray("phones")->getObject(1)->getValue<std::string>("number") == "+493012345678");
  CHECK(c->getArray("phones")->getObject(0)->getValue<bool>("primary"));
  CHECK(str(c->getObject("address"), "country") == "GB");
  CHECK(str(c->getObject("address"), "line2") == "<null>");
  CHECK(str(c->getObject("billing"), "currency") == "GBP");
  CHECK(str(c->getObject("billing"), "email") == "ap@acme.example");
  CHECK(c->getObject("billing")->getValue<int>("payment_terms_days") == 30);
  CHECK(c->getObject("billing")->getValue<Poco::Int64>("hourly_rate_minor") == 25000);
  CHECK(str(c, "notes") == "Met at the\nconference.");
  CHECK(str(c, "status") == "active");
  CHECK(str(c, "portal_status") == "none");
  CHECK(str(c, "created_at").size() == 20);
  CHECK(str(c, "created_at").back() == 'Z');

  // Read back: the same object.
  auto g = owner.get("/api/v1/clients/" + id);
  REQUIRE(g.status == 200);
  CHECK(g.body == r.body);

  // Patch: only what is sent changes.
  auto p = owner.request("PATCH", "/api/v1/clients/" + id,
                         R"({"phone":"+1 415 555 0100","billing":{"payment_terms_days":14,"tax_id":null},"notes":null})");
  REQUIRE(p.status == 200);
  c = parse(p.body);
  CHECK(str(c, "name") == "Acme Holdings Ltd");
  CHECK(str(c, "phone") == "+14155550100");
  CHECK(c->getArray("phones")->size() == 2);
  CHECK(str(c, "email") == "ceo@acme.example");
  CHECK(c->getObject("billing")->getValue<int>("payment_terms_days") == 14);
  CHECK(str(c->getObject("billing"), "tax_id") == "<null>");
  CHECK(str(c->getObject("billing"), "currency") == "GBP");
  CHECK(str(c, "notes") == "<null>");
  CHECK(str(c, "created_at") <= str(c, "updated_at"));

  // Archive and restore; archived clients leave the default list.
  auto a = owner.post("/api/v1/clients/" + id + "/archive", "");
  REQUIRE(a.status == 200);
  CHECK(jsonField(a.body, "status") == "archived");
  CHECK(names(owner.get("/api/v1/clients")).empty());
  CHECK(names(owner.get("/api/v1/clients?status=archived")) == std::vector<std::string>{"Acme Holdings Ltd"});
  CHECK(names(owner.get("/api/v1/clients?status=all")).size() == 1);
  auto rs = owner.post("/api/v1/clients/" + id + "/restore", "");
  REQUIRE(rs.status == 200);
  CHECK(jsonField(rs.body, "status") == "active");
  CHECK(names(owner.get("/api/v1/clients")).size() == 1);

  // Delete: gone, and gone from search.
  auto d = owner.request("DELETE", "/api/v1/clients/" + id);
  CHECK(d.status == 204);
  CHECK(owner.get("/api/v1/clients/" + id).status == 404);
  CHECK(owner.request("DELETE", "/api/v1/clients/" + id).status == 404);
  CHECK(names(owner.get("/api/v1/clients?q=acme&status=all")).empty());
}

TEST_CASE("every invalid field is refused with 400 naming the field") {
  Firms f(Db::SQLite);
  auto owner = f.as("owner");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({})", "name"},
      {R"({"name":"   "})", "name"},
      {R"({"name":42})", "name"},
      {R"({"name":")" + std::string(201, 'x') + R"("})", "name"},
      {R"({"name":"A","kind":"company"})", "kind"},
      {R"({"name":"A","contact_person":"Bob"})", "contact_person"},
      {R"({"name":"A","email":"not-an-email"})", "email"},
      {R"({"name":"A","email":"a@b"})", "email"},
      {R"({"name":"A","emails":[{"address":"a@b.example"},{"address":"a@@b.example"}]})", "emails[1].address"},
      {R"({"name":"A","emails":[{"address":"a@b.example"},{"address":"A@B.example"}]})", "emails[1].address"},
      {R"({"name":"A","emails":[{"address":"a@b.example","primary":true},{"address":"c@b.example","primary":true}]})",
       "emails[1].primary"},
      {R"({"name":"A","emails":[{"address":"a@b.example","colour":"red"}]})", "emails[0].colour"},
      {R"({"name":"A","emails":"a@b.example"})", "emails"},
      {R"({"name":"A","phone":"020 7946 0958"})", "phone"},
      {R"({"name":"A","phone":"+44 20 ext 5"})", "phone"},
      {R"({"name":"A","phone":"+1234567"})", "phone"},
      {R"({"name":"A","phones":[{"number":"+44 20 7946 0958"},{"number":"+1 (415 555 0100"}]})", "phones[1].number"},
      {R"({"name":"A","address":{"country":"XX"}})", "address.country"},
      {R"({"name":"A","address":{"postal_code":")" + std::string(21, '9') + R"("}})", "address.postal_code"},
      {R"({"name":"A","address":{"street":"x"}})", "address.street"},
      {R"({"name":"A","address":"1 Main St"})", "address"},
      {R"({"name":"A","billing":{"email":"nope"}})", "billing.email"},
      {R"({"name":"A","billing":{"currency":"EURO"}})", "billing.currency"},
      {R"({"name":"A","billing":{"currency":"XYZ"}})", "billing.currency"},
      {R"({"name":"A","billing":{"hourly_rate_minor":1000}})", "billing.currency"},
      {R"({"name":"A","billing":{"currency":"EUR","hourly_rate_minor":-1}})", "billing.hourly_rate_minor"},
      {R"({"name":"A","billing":{"currency":"EUR","hourly_rate_minor":12.5}})", "billing.hourly_rate_minor"},
      {R"({"name":"A","billing":{"payment_terms_days":366}})", "billing.payment_terms_days"},
      {R"({"name":"A","billing":{"payment_terms_days":"30"}})", "billing.payment_terms_days"},
      {R"({"name":"A","billing":{"tax_id":")" + std::string(51, 'T') + R"("}})", "billing.tax_id"},
      {R"({"name":"A","billing":{"address":{"country":"United Kingdom"}}})", "billing.address.country"},
      {R"({"name":"A","notes":")" + std::string(10001, 'n') + R"("})", "notes"},
      {R"({"name":"A","status":"deleted"})", "status"},
      {R"({"name":"A","nickname":"Al"})", "nickname"},
      {R"({"name":"A\u0007"})", "name"},
      {R"([1,2])", "body"},
      {R"({"name":)", "body"},
  };
  for (const auto& [body, field] : cases) {
    auto r = owner.post("/api/v1/clients", body);
    INFO(body.substr(0, 120) << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
    CHECK_THAT(r.body, Catch::Contains("\"code\":\"invalid\""));
  }
  // Eleven addresses are too many.
  std::string many = R"({"name":"A","emails":[)";
  for (int i = 0; i < 11; ++i) many += (i ? "," : "") + std::string("\"p") + std::to_string(i) + "@x.example\"";
  auto r = owner.post("/api/v1/clients", many + "]}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "emails");
  // The body must be JSON.
  r = owner.request("POST", "/api/v1/clients", "name=A", "application/x-www-form-urlencoded");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "body");
  // The messages are written for people.
  r = owner.post("/api/v1/clients", R"({"name":"A","emails":[{"address":"x"}]})");
  CHECK_THAT(r.body, Catch::Contains("Enter a valid email address."));
  r = owner.post("/api/v1/clients", R"({"name":"A","phone":"12345"})");
  CHECK_THAT(r.body, Catch::Contains("Enter the phone number in international format, e.g. +44 20 7946 0958"));
  // Nothing was stored by any of these.
  CHECK(names(owner.get("/api/v1/clients?status=all")).empty());
}

TEST_CASE("patch changes only the fields sent, null clears them and lists are replaced") {
  Firms f(Db::SQLite);
  auto owner = f.as("owner");
  const auto id = Firms::create(owner, R"({"name":"Jane Doe","email":"jane@doe.example","phones":["+44 20 7946 0958"],)"
                                       R"("address":{"line1":"1 High St","city":"Leeds","country":"GB"}})");
  const std::string path = "/api/v1/clients/" + id;

  // Objects merge: only city changes.
  auto r = owner.request("PATCH", path, R"({"address":{"city":"York"}})");
  REQUIRE(r.status == 200);
  auto c = parse(r.body);
  CHECK(str(c->getObject("address"), "line1") == "1 High St");
  CHECK(str(c->getObject("address"), "city") == "York");

  // Arrays replace: the new list, first one primary when none is marked.
  r = owner.request("PATCH", path, R"({"emails":["j.doe@work.example","jane@home.example"]})");
  REQUIRE(r.status == 200);
  c = parse(r.body);
  CHECK(str(c, "email") == "j.doe@work.example");
  CHECK(c->getArray("emails")->size() == 2);

  // The email shorthand makes an address primary (moving it if it is listed).
  r = owner.request("PATCH", path, R"({"email":"jane@home.example"})");
  c = parse(r.body);
  CHECK(str(c, "email") == "jane@home.example");
  CHECK(c->getArray("emails")->size() == 2);
  // null removes the primary one; the next becomes primary.
  r = owner.request("PATCH", path, R"({"email":null})");
  c = parse(r.body);
  CHECK(str(c, "email") == "j.doe@work.example");
  CHECK(c->getArray("emails")->size() == 1);

  // null clears optional fields and objects; the name cannot be cleared.
  r = owner.request("PATCH", path, R"({"address":null,"phones":[]})");
  c = parse(r.body);
  CHECK(str(c->getObject("address"), "line1") == "<null>");
  CHECK(str(c, "phone") == "<null>");
  r = owner.request("PATCH", path, R"({"name":null})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "name");

  // A client read back can be sent back: read-only fields are ignored; nothing changes.
  auto before = owner.get(path);
  r = owner.request("PATCH", path, before.body);
  CHECK(r.status == 200);
  CHECK(jsonField(r.body, "portal_status") == "none");
  CHECK(jsonField(r.body, "name") == "Jane Doe");
  // An empty patch changes nothing, not even updated_at.
  r = owner.request("PATCH", path, "{}");
  CHECK(r.status == 200);
  CHECK(jsonField(r.body, "updated_at") == jsonField(before.body, "updated_at"));

  // Organisation -> individual drops the contact person.
  r = owner.request("PATCH", path, R"({"kind":"organization","contact_person":"Sam"})");
  CHECK(jsonField(r.body, "kind") == "organisation");
  CHECK(jsonField(r.body, "contact_person") == "Sam");
  r = owner.request("PATCH", path, R"({"kind":"individual"})");
  CHECK(jsonField(r.body, "contact_person").empty());

  // Unknown ids and malformed ids are not found.
  CHECK(owner.request("PATCH", "/api/v1/clients/999999", "{}").status == 404);
  CHECK(owner.request("PATCH", "/api/v1/clients/abc", "{}").status == 404);
  CHECK(owner.get("/api/v1/clients/-1").status == 404);
}

TEST_CASE("search finds clients by name, email and phone") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  // The search plans: a word matching few tokens drives the query from the token index; with
  // a threshold of 2, most words here are "not selective" and the name index is walked; with a
  // portal_status filter, the matches are joined to their clients.
  const std::string threshold = GENERATE(std::string("20000"), std::string("2"));
  const std::string filter = GENERATE(std::string(""), std::string("&portal_status=none"));
  INFO(dbName(db) << ", search_selective_tokens = " << threshold << ", filter " << filter);
  Firms f(db, "[plugin.clients]\nsearch_selective_tokens = " + threshold + "\n");
  auto owner = f.as("owner");
  Firms::create(owner, R"({"name":"Émile Zola","email":"emile@zola.example","phone":"+33 1 23 45 67 89"})");
  Firms::create(owner, R"({"name":"Siobhán O'Brien","emails":["sob@brien-law.example","siobhan.obrien@home.example"]})");
  Firms::create(owner, R"({"name":"Smith & Jones LLP","kind":"organisation","phone":"+44 20 7946 0958"})");
  Firms::create(owner, R"({"name":"Jane Smith","email":"jane@smith.example","phones":["+1 415 555 0100"]})");
  Firms::create(owner, R"({"name":"Smithers 100%_Ltd","email":"x@y.example"})");
  Firms::create(owner, R"({"name":"Zoë Smyth","email":"zoe@oldmail.example"})");

  auto search = [&](const std::string& q) {
    auto r = owner.get("/api/v1/clients?q=" + urlEncode(q) + filter);
    INFO("q=" << q << " -> " << r.status << " " << r.body.substr(0, 200));
    REQUIRE(r.status == 200);
    return names(r);
  };
  using V = std::vector<std::string>;
  CHECK(search("smith") == V{"Jane Smith", "Smith & Jones LLP", "Smithers 100%_Ltd"});
  CHECK(search("SMITH jo") == V{"Smith & Jones LLP"});
  CHECK(search("jane smi") == V{"Jane Smith"});
  CHECK(search("emile") == V{"Émile Zola"});
  CHECK(search("Émi") == V{"Émile Zola"});
  CHECK(search("zoe") == V{"Zoë Smyth"});
  CHECK(search("o'brien") == V{"Siobhán O'Brien"});
  CHECK(search("obrien") == V{"Siobhán O'Brien"});
  CHECK(search("siobhan") == V{"Siobhán O'Brien"});
  CHECK(search("brien-law") == V{"Siobhán O'Brien"});
  CHECK(search("siobhan.obrien@home") == V{"Siobhán O'Brien"});
  CHECK(search("jane@smith.example") == V{"Jane Smith"});
  CHECK(search("+44 20 7946") == V{"Smith & Jones LLP"});
  CHECK(search("020 7946 0958") == V{"Smith & Jones LLP"});
  CHECK(search("7946 0958") == V{"Smith & Jones LLP"});
  CHECK(search("(415) 555-0100") == V{"Jane Smith"});
  CHECK(search("0100") == V{"Jane Smith"});
  CHECK(search("100%") == V{"Smithers 100%_Ltd"});
  CHECK(search("%") == V{"Émile Zola", "Jane Smith", "Siobhán O'Brien", "Smith & Jones LLP", "Smithers 100%_Ltd", "Zoë Smyth"});
  CHECK(search("_").size() == 6);
  CHECK(search("nobody").empty());
  CHECK(search("smith nobody").empty());
  CHECK(search("   ").size() == 6);

  // Changes reach the search at once.
  auto list = owner.get("/api/v1/clients?q=zoe");
  const std::string zoe = jsonField(parse(list.body)->getArray("items")->get(0).toString(), "id");
  REQUIRE(owner.request("PATCH", "/api/v1/clients/" + zoe, R"({"name":"Zoë Smythe-Baker","email":"zb@new.example"})").status == 200);
  CHECK(search("baker") == V{"Zoë Smythe-Baker"});
  CHECK(search("zb@new") == V{"Zoë Smythe-Baker"});
  CHECK(search("oldmail").empty());
  CHECK(search("smyth") == V{"Zoë Smythe-Baker"});

  // Archived clients leave the search, and come back when restored.
  auto jane = parse(owner.get("/api/v1/clients?q=jane").body)->getArray("items")->getObject(0);
  const std::string janeId = jane->get("id").toString();
  REQUIRE(owner.post("/api/v1/clients/" + janeId + "/archive", "").status == 200);
  CHECK(search("smith") == V{"Smith & Jones LLP", "Smithers 100%_Ltd"});
  CHECK(search("jane smi").empty());
  CHECK(names(owner.get("/api/v1/clients?status=archived&q=smith" + filter)) == V{"Jane Smith"});
  CHECK(names(owner.get("/api/v1/clients?status=all&q=smi" + filter)).size() == 3);
  REQUIRE(owner.request("PATCH", "/api/v1/clients/" + janeId, R"({"status":"active"})").status == 200);
  CHECK(search("smith") == V{"Jane Smith", "Smith & Jones LLP", "Smithers 100%_Ltd"});
}

TEST_CASE("paging through 60 clients returns each once, in name order, with no gaps") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  const std::string threshold = GENERATE(std::string("20000"), std::string("20"));
  INFO(dbName(db) << ", search_selective_tokens = " << threshold);
  Firms f(db, "[plugin.clients]\nsearch_selective_tokens = " + threshold + "\n");
  auto owner = f.as("owner");
  std::vector<std::string> expected;
  for (int i = 0; i < 60; ++i) {
    // Three clients share each name (the id breaks the tie); mixed case tests the
    // case-insensitive order.
    const std::string name = std::string(i % 3 == 0 ? "client " : "Client ") + char('A' + i % 20);
    Firms::create(owner, R"({"name":")" + name + R"(","email":"c)" + std::to_string(i) + R"(@paging.example"})");
    expected.push_back(name);
  }
  // Two archived clients are not in the default list.
  const auto gone = Firms::create(owner, R"({"name":"Client Archived"})");
  REQUIRE(owner.post("/api/v1/clients/" + gone + "/archive", "").status == 200);

  for (const std::string query : {"", "&q=client", "&q=paging.example", "&q=client%20paging", "&q=paging&portal_status=none"}) {
    std::vector<std::string> seen, seenIds;
    std::string cursor;
    int pages = 0;
    do {
      auto r = owner.get("/api/v1/clients?limit=7" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
      INFO(query << " page " << pages << ": " << r.status << " " << r.body.substr(0, 200));
      REQUIRE(r.status == 200);
      auto o = parse(r.body);
      auto items = o->getArray("items");
      CHECK(items->size() <= 7);
      for (std::size_t i = 0; i < items->size(); ++i) {
        seen.push_back(items->getObject(i)->getValue<std::string>("name"));
        seenIds.push_back(items->getObject(i)->get("id").toString());
      }
      cursor = o->isNull("next_cursor") ? "" : o->getValue<std::string>("next_cursor");
      ++pages;
    } while (!cursor.empty() && pages < 20);
    INFO("query " << query);
    CHECK(pages == 9);  // 60 / 7, rounded up
    CHECK(seen.size() == 60);
    CHECK(std::set<std::string>(seenIds.begin(), seenIds.end()).size() == 60);
    auto sorted = expected;
    std::sort(sorted.begin(), sorted.end(), [](std::string a, std::string b) {
      std::transform(a.begin(), a.end(), a.begin(), ::tolower);
      std::transform(b.begin(), b.end(), b.begin(), ::tolower);
      return a < b;
    });
    auto lowered = seen;
    for (auto* v : {&sorted, &lowered})
      for (auto& s : *v) std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    CHECK(lowered == sorted);
  }
  // A page that ends exactly at the end says so.
  auto r = owner.get("/api/v1/clients?limit=60");
  CHECK(parse(r.body)->getArray("items")->size() == 60);
  CHECK(parse(r.body)->isNull("next_cursor"));
  CHECK(parse(owner.get("/api/v1/clients").body)->getArray("items")->size() == 25);
}

TEST_CASE("malformed list parameters are refused naming the parameter") {
  Firms f(Db::SQLite);
  auto owner = f.as("owner");
  Firms::create(owner, R"({"name":"Someone"})");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"limit=0", "limit"},          {"limit=101", "limit"},           {"limit=ten", "limit"},
      {"limit=-5", "limit"},         {"cursor=%25%25%25", "cursor"},   {"cursor=bm90IGpzb24", "cursor"},
      {"cursor=WyJhIl0", "cursor"},  {"status=deleted", "status"},     {"portal_status=maybe", "portal_status"},
      {"q=" + std::string(101, 'q'), "q"},
  };
  for (const auto& [query, field] : cases) {
    auto r = owner.get("/api/v1/clients?" + query);
    INFO(query << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  CHECK(owner.get("/api/v1/clients?limit=100&portal_status=none&status=all").status == 200);
  CHECK(names(owner.get("/api/v1/clients?portal_status=active")).empty());
}

TEST_CASE("another firm's clients are not found and never listed") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firms f(db);
  auto alpha = f.as("owner");
  auto beta = f.as("owner", "beta");
  const auto id = Firms::create(alpha, R"({"name":"Alpha's Client","email":"secret@alpha-client.example"})");
  Firms::create(beta, R"({"name":"Beta's Client"})");

  CHECK(beta.get("/api/v1/clients/" + id).status == 404);
  CHECK(beta.request("PATCH", "/api/v1/clients/" + id, R"({"name":"Stolen"})").status == 404);
  CHECK(beta.post("/api/v1/clients/" + id + "/archive", "").status == 404);
  CHECK(beta.post("/api/v1/clients/" + id + "/restore", "").status == 404);
  CHECK(beta.request("DELETE", "/api/v1/clients/" + id).status == 404);
  CHECK(names(beta.get("/api/v1/clients?status=all")) == std::vector<std::string>{"Beta's Client"});
  CHECK(names(beta.get("/api/v1/clients?q=secret")).empty());
  CHECK(names(beta.get("/api/v1/clients?q=alpha")).empty());
  auto csv = beta.get("/api/v1/clients/export.csv");
  REQUIRE(csv.status == 200);
  CHECK_THAT(csv.body, !Catch::Contains("Alpha"));
  // Alpha's client is untouched.
  auto mine = alpha.get("/api/v1/clients/" + id);
  REQUIRE(mine.status == 200);
  CHECK(jsonField(mine.body, "name") == "Alpha's Client");
  CHECK(jsonField(mine.body, "status") == "active");
}

TEST_CASE("roles get the clients permissions they are granted by default") {
  Firms f(Db::SQLite);
  auto owner = f.as("owner");
  const auto id = Firms::create(owner, R"({"name":"Granted"})");
  auto attorney = f.as("attorney"), paralegal = f.as("paralegal"), billing = f.as("billing");
  CHECK(Firms::create(paralegal, R"({"name":"By Paralegal"})").size() > 0);
  CHECK(attorney.request("PATCH", "/api/v1/clients/" + id, R"({"notes":"ok"})").status == 200);
  CHECK(billing.get("/api/v1/clients/" + id).status == 200);
  CHECK(billing.post("/api/v1/clients", R"({"name":"By Billing"})").status == 403);
  CHECK(billing.request("PATCH", "/api/v1/clients/" + id, R"({"notes":"no"})").status == 403);
  CHECK(paralegal.get("/api/v1/clients/export.csv").status == 403);
  CHECK(attorney.get("/api/v1/clients/export.csv").status == 403);
  CHECK(billing.get("/api/v1/clients/export.csv").status == 200);
  auto me = paralegal.get("/api/v1/nav");
  CHECK_THAT(me.body, Catch::Contains("\"href\":\"#/clients\""));
}

TEST_CASE("the CSV export lists the directory and neutralises spreadsheet formulas") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firms f(db);
  auto owner = f.as("owner");
  Firms::create(owner, R"J({"name":"=HYPERLINK(\"http://evil.example\",\"click\")","email":"a@evil.example"})J");
  Firms::create(owner, R"({"name":"Baker, \"Bob\"","emails":["bob@baker.example","b2@baker.example"],)"
                       R"("phone":"+44 20 7946 0958","billing":{"currency":"EUR","hourly_rate_minor":15000},)"
                       R"("address":{"line1":"@home","line2":"-1 floor","city":"+London"},"notes":"never exported"})");
  const auto old = Firms::create(owner, R"({"name":"Old Client"})");
  REQUIRE(owner.post("/api/v1/clients/" + old + "/archive", "").status == 200);

  auto r = owner.get("/api/v1/clients/export.csv");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.header("content-type"), Catch::StartsWith("text/csv"));
  CHECK_THAT(r.header("content-disposition"), Catch::StartsWith("attachment; filename=\"clients-"));
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < r.body.size()) {
    auto e = r.body.find("\r\n", pos);
    REQUIRE(e != std::string::npos);
    lines.push_back(r.body.substr(pos, e - pos));
    pos = e + 2;
  }
  REQUIRE(lines.size() == 4);  // header + 3 clients (archived included: status defaults to all)
  CHECK_THAT(lines[0], Catch::StartsWith("id,kind,name,contact_person,email,phone,other_emails,other_phones,"));
  // Sorted by name: "=HYPERLINK..." sorts before letters.
  CHECK_THAT(lines[1], Catch::Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\","));
  CHECK_THAT(lines[2], Catch::Contains(",\"Baker, \"\"Bob\"\"\",,bob@baker.example,\"'+442079460958\",b2@baker.example,,\"'@home\",\"'-1 floor\",\"'+London\","));
  CHECK_THAT(lines[2], Catch::Contains(",EUR,,,15000,active,none,"));
  CHECK_THAT(r.body, !Catch::Contains("never exported"));
  CHECK_THAT(lines[3], Catch::Contains(",Old Client,") && Catch::Contains(",archived,none,"));
  // Filters apply as in the list.
  auto active = owner.get("/api/v1/clients/export.csv?status=active&q=baker");
  CHECK(std::count(active.body.begin(), active.body.end(), '\n') == 2);
  // The export is audited.
  auto audit = owner.get("/api/v1/audit");
  CHECK_THAT(audit.body, Catch::Contains("\"action\":\"clients.export\""));
}

TEST_CASE("a large export streams every client") {
  Firms f(Db::SQLite);
  auto owner = f.as("owner");
  for (int i = 0; i < 1205; ++i) {
    auto r = owner.post("/api/v1/clients", R"({"name":"Bulk )" + std::to_string(100000 + i) + R"("})");
    REQUIRE(r.status == 201);
  }
  auto r = owner.get("/api/v1/clients/export.csv");
  REQUIRE(r.status == 200);
  CHECK(r.header("transfer-encoding") == "chunked");
  CHECK(std::count(r.body.begin(), r.body.end(), '\n') == 1206);
  CHECK_THAT(r.body, Catch::Contains(",Bulk 100000,") && Catch::Contains(",Bulk 101204,"));
}

TEST_CASE("a client that other records refer to, or with portal access, is archived rather than deleted") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firms f(db);
  auto owner = f.as("owner");
  const auto referenced = Firms::create(owner, R"({"name":"Has A Case","email":"case@x.example"})");
  const auto portal = Firms::create(owner, R"({"name":"Portal User"})");
  // A table of another module (cases, invoices) refers to the client, as their migrations will.
  f.ownerSql(f.alphaId,
             "CREATE TABLE test_cases (firm_id BIGINT NOT NULL, id BIGINT NOT NULL, client_id BIGINT NOT NULL, "
             "PRIMARY KEY (firm_id, id), FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id));"
             "INSERT INTO test_cases VALUES (" + std::to_string(f.alphaId) + ", 1, " + referenced + ");"
             "UPDATE clients SET portal_status = 'active' WHERE id = " + portal,
             "CREATE TABLE test_cases (firm_id BIGINT NOT NULL, id BIGINT NOT NULL, client_id BIGINT NOT NULL, "
             "PRIMARY KEY (firm_id, id), FOREIGN KEY (firm_id, client_id) REFERENCES lexos_t_clients (firm_id, id));"
             "INSERT INTO test_cases VALUES (" + std::to_string(f.alphaId) + ", 1, " + referenced + ");"
             "UPDATE lexos_t_clients SET portal_status = 'active' WHERE id = " + portal);

  auto r = owner.request("DELETE", "/api/v1/clients/" + referenced);
  INFO(r.body);
  CHECK(r.status == 409);
  CHECK_THAT(r.body, Catch::Contains("\"code\":\"conflict\"") && Catch::Contains("Archive the client instead."));
  // Nothing of it was lost: emails and search still work.
  auto g = owner.get("/api/v1/clients/" + referenced);
  REQUIRE(g.status == 200);
  CHECK(jsonField(g.body, "email") == "case@x.example");
  CHECK(names(owner.get("/api/v1/clients?q=case@x")) == std::vector<std::string>{"Has A Case"});
  CHECK(owner.post("/api/v1/clients/" + referenced + "/archive", "").status == 200);

  r = owner.request("DELETE", "/api/v1/clients/" + portal);
  CHECK(r.status == 409);
  CHECK(jsonField(owner.get("/api/v1/clients/" + portal).body, "portal_status") == "active");
  CHECK(names(owner.get("/api/v1/clients?portal_status=active")) == std::vector<std::string>{"Portal User"});
}

TEST_CASE("changes to clients are audited") {
  Firms f(Db::SQLite);
  auto owner = f.as("owner");
  const auto id = Firms::create(owner, R"({"name":"Audited"})");
  REQUIRE(owner.request("PATCH", "/api/v1/clients/" + id, R"({"notes":"x"})").status == 200);
  REQUIRE(owner.post("/api/v1/clients/" + id + "/archive", "").status == 200);
  REQUIRE(owner.post("/api/v1/clients/" + id + "/archive", "").status == 200);  // no change, no event
  REQUIRE(owner.post("/api/v1/clients/" + id + "/restore", "").status == 200);
  REQUIRE(owner.get("/api/v1/clients/" + id).status == 200);
  REQUIRE(owner.request("DELETE", "/api/v1/clients/" + id).status == 204);
  auto audit = parse(owner.get("/api/v1/audit?limit=500").body)->getArray("items");
  std::vector<std::string> actions;
  for (std::size_t i = audit->size(); i-- > 0;) {
    auto e = audit->getObject(i);
    if (e->getValue<std::string>("object_id") == id) actions.push_back(e->getValue<std::string>("action"));
  }
  CHECK(actions == std::vector<std::string>{"client.create", "client.update", "client.archive", "client.restore",
                                            "client.view", "client.delete"});
}

TEST_CASE("phone numbers are read in the firm's country and answered grouped") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firms f(db);
  auto owner = f.as("owner");
  // Without a country, a national number is refused naming the field; with the country code it is taken.
  auto r = owner.post("/api/v1/clients", R"({"name":"Dana Scully","phone":"(312) 555-0199"})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phone");
  REQUIRE(owner.request("PATCH", "/api/v1/firm", R"({"country":"US","time_zone":"America/Chicago"})").status == 200);
  // A US firm: what people type in the US.
  r = owner.post("/api/v1/clients", R"({"name":"Dana Scully","phone":"(312) 555-0199"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto c = parse(r.body);
  CHECK(str(c, "phone") == "+13125550199");
  CHECK(str(c, "phone_display") == "+1 312-555-0199");
  CHECK(c->getArray("phones")->getObject(0)->getValue<std::string>("display") == "+1 312-555-0199");
  const std::string id = str(c, "id");
  // A list with a foreign number and a national one; a bad one names its entry.
  r = owner.request("PATCH", "/api/v1/clients/" + id,
                    R"({"phones":[{"number":"+44 20 7946 0958","label":"london"},{"number":"312.555.0100","primary":true}]})");
  REQUIRE(r.status == 200);
  c = parse(r.body);
  CHECK(str(c, "phone") == "+13125550100");
  CHECK(c->getArray("phones")->getObject(0)->getValue<std::string>("display") == "+44 20 7946 0958");
  r = owner.request("PATCH", "/api/v1/clients/" + id, R"({"phones":["(312) 555-0199","555-0199"]})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "phones[1]");
  CHECK_THAT(r.body, Catch::Contains("(US)"));
  // Nothing was lost: the list is as before the refused patch.
  r = owner.get("/api/v1/clients/" + id);
  CHECK(str(parse(r.body), "phone") == "+13125550100");
  // Search by the digits as typed nationally still finds the stored number.
  r = owner.get("/api/v1/clients?q=5550100");
  CHECK_THAT(r.body, Catch::Contains("Dana Scully"));
}

namespace {

// Pages through GET /api/v1/clients?limit=N<query> to the end; the ids seen, in order.
std::vector<std::string> walkPages(HttpClient& c, const std::string& query, std::size_t limit, int maxPages = 40) {
  std::vector<std::string> ids;
  std::string cursor;
  int pages = 0;
  do {
    auto r = c.get("/api/v1/clients?limit=" + std::to_string(limit) + query + (cursor.empty() ? "" : "&cursor=" + cursor));
    INFO(query << " page " << pages << ": " << r.status << " " << r.body.substr(0, 200));
    REQUIRE(r.status == 200);
    auto o = parse(r.body);
    auto items = o->getArray("items");
    CHECK(items->size() <= limit);
    // Only the first page carries the total.
    CHECK(o->has("total") == cursor.empty());
    for (std::size_t i = 0; i < items->size(); ++i) ids.push_back(items->getObject(i)->get("id").toString());
    cursor = o->isNull("next_cursor") ? "" : o->getValue<std::string>("next_cursor");
    ++pages;
  } while (!cursor.empty() && pages < maxPages);
  return ids;
}

}  // namespace

TEST_CASE("the directory sorts by name and by date added, both ways, and pages through each order") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  const std::string threshold = GENERATE(std::string("20000"), std::string("5"));
  INFO(dbName(db) << ", search_selective_tokens = " << threshold);
  Firms f(db, "[plugin.clients]\nsearch_selective_tokens = " + threshold + "\n");
  auto owner = f.as("owner");
  // 23 clients, created in this order (ids grow with it; several share a second), names not in
  // that order, two pairs of equal names (the id breaks the tie).
  std::vector<std::pair<std::string, std::string>> made;  // (sort key, id) in creation order
  for (int i = 0; i < 23; ++i) {
    const int k = (i * 7) % 23;
    const std::string name = std::string(k % 2 ? "Walker " : "walker ") + char('A' + (k % 11));
    const auto id = Firms::create(owner, R"({"name":")" + name + R"(","email":"w)" + std::to_string(i) +
                                             R"(@sorting.example"})");
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    made.push_back({key, id});
  }
  // By id as a number: the ids are JSON numbers of equal length here, but compare numerically.
  auto num = [](const std::string& s) { return std::stoll(s); };
  std::vector<std::string> byAdded, byName;
  for (const auto& m : made) byAdded.push_back(m.second);
  auto sortedByName = made;
  std::sort(sortedByName.begin(), sortedByName.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : num(a.second) < num(b.second);
  });
  for (const auto& m : sortedByName) byName.push_back(m.second);
  auto reversed = [](std::vector<std::string> v) {
    std::reverse(v.begin(), v.end());
    return v;
  };

  for (const std::string filter : {"", "&q=walker", "&q=sorting%20walk", "&q=walker&portal_status=none", "&status=all"}) {
    INFO("filter " << filter);
    CHECK(walkPages(owner, filter, 4) == byName);
    CHECK(walkPages(owner, filter + "&sort=name", 5) == byName);
    CHECK(walkPages(owner, filter + "&sort=-name", 4) == reversed(byName));
    CHECK(walkPages(owner, filter + "&sort=added", 6) == byAdded);
    CHECK(walkPages(owner, filter + "&sort=-added", 4) == reversed(byAdded));
  }
  // A client added or removed while paging neither repeats nor hides the others.
  auto first = parse(owner.get("/api/v1/clients?sort=-added&limit=10").body);
  const std::string cursor = first->getValue<std::string>("next_cursor");
  Firms::create(owner, R"({"name":"Walker Newest"})");
  auto rest = parse(owner.get("/api/v1/clients?sort=-added&limit=50&cursor=" + cursor).body);
  CHECK(rest->getArray("items")->size() == 13);
  CHECK(rest->getArray("items")->getObject(0)->get("id").toString() == byAdded[12]);

  // A cursor belongs to its order; a bad order is named.
  auto r = owner.get("/api/v1/clients?sort=added&cursor=" + cursor);
  CHECK(r.status == 400);
  CHECK(errorField(r) == "cursor");
  r = owner.get("/api/v1/clients?sort=-added&cursor=" + cursor);
  CHECK(r.status == 200);
  for (const char* bad : {"sort=size", "sort=", "sort=NAME", "sort=name%20"}) {
    r = owner.get(std::string("/api/v1/clients?") + bad);
    INFO(bad);
    CHECK(r.status == 400);
    CHECK(errorField(r) == "sort");
  }
  r = owner.get("/api/v1/clients/export.csv?sort=bogus");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "sort");
}

TEST_CASE("the first page tells how many clients the filters match") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firms f(db);
  auto owner = f.as("owner");
  auto beta = f.as("owner", "beta");
  for (int i = 0; i < 12; ++i)
    Firms::create(owner, R"({"name":"Counted )" + std::to_string(i) + R"(","email":"c)" + std::to_string(i) +
                             (i % 3 ? "@three.example" : "@other.example") + R"("})");
  const auto gone = Firms::create(owner, R"({"name":"Counted Archived"})");
  REQUIRE(owner.post("/api/v1/clients/" + gone + "/archive", "").status == 200);
  Firms::create(beta, R"({"name":"Counted Elsewhere","email":"x@three.example"})");

  auto total = [&](const std::string& query) {
    auto r = owner.get("/api/v1/clients?limit=5" + query);
    INFO(query << " -> " << r.status << " " << r.body.substr(0, 200));
    REQUIRE(r.status == 200);
    auto o = parse(r.body);
    REQUIRE(o->has("total"));
    CHECK(o->getValue<bool>("total_exact"));
    return o->getValue<std::int64_t>("total");
  };
  CHECK(total("") == 12);
  CHECK(total("&status=all") == 13);
  CHECK(total("&status=archived") == 1);
  CHECK(total("&q=counted") == 12);
  CHECK(total("&q=counted&status=all") == 13);
  CHECK(total("&q=three") == 8);
  CHECK(total("&q=three%20counted&sort=-added") == 8);
  CHECK(total("&q=nobody") == 0);
  CHECK(total("&portal_status=none") == 12);
  CHECK(total("&portal_status=invited") == 0);
  CHECK(total("&q=three&portal_status=none") == 8);
  // The other firm counts only its own.
  auto r = parse(beta.get("/api/v1/clients?q=three").body);
  CHECK(r->getValue<std::int64_t>("total") == 1);
  // Later pages do not count again.
  auto first = parse(owner.get("/api/v1/clients?limit=5").body);
  auto second = parse(owner.get("/api/v1/clients?limit=5&cursor=" + first->getValue<std::string>("next_cursor")).body);
  CHECK_FALSE(second->has("total"));
}

TEST_CASE("search finds an organisation by its contact person, words in any order, never another firm's") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  const std::string threshold = GENERATE(std::string("20000"), std::string("1"));
  INFO(dbName(db) << ", search_selective_tokens = " << threshold);
  Firms f(db, "[plugin.clients]\nsearch_selective_tokens = " + threshold + "\n");
  auto owner = f.as("owner");
  auto beta = f.as("owner", "beta");
  const auto acme = Firms::create(owner, R"({"name":"Acme Holdings Ltd","kind":"organisation","contact_person":"Józef Müller-Brandt"})");
  Firms::create(owner, R"({"name":"Jozef Nowak","email":"jn@nowak.example"})");
  Firms::create(owner, R"({"name":"Brandt Partners","kind":"organisation","contact_person":"Anna Weiss"})");
  Firms::create(beta, R"({"name":"Beta Muller GmbH","kind":"organisation","contact_person":"Jozef Muller"})");

  auto search = [&](HttpClient& c, const std::string& q, const std::string& extra = "") {
    auto r = c.get("/api/v1/clients?q=" + urlEncode(q) + extra);
    INFO("q=" << q << extra << " -> " << r.status << " " << r.body.substr(0, 200));
    REQUIRE(r.status == 200);
    return names(r);
  };
  using V = std::vector<std::string>;
  for (const std::string extra : {"", "&portal_status=none", "&sort=-added"}) {
    INFO("extra " << extra);
    CHECK(search(owner, "muller", extra) == V{"Acme Holdings Ltd"});
    CHECK(search(owner, "MÜLLER", extra) == V{"Acme Holdings Ltd"});
    CHECK(search(owner, "jozef muller", extra) == V{"Acme Holdings Ltd"});
    CHECK(search(owner, "muller jozef", extra) == V{"Acme Holdings Ltd"});
    CHECK(search(owner, "mull jo", extra) == V{"Acme Holdings Ltd"});
    CHECK(search(owner, "mullerbrandt", extra) == V{"Acme Holdings Ltd"});
    CHECK(search(owner, "anna", extra) == V{"Brandt Partners"});
    CHECK(search(owner, "weiss brandt", extra) == V{"Brandt Partners"});
    CHECK(search(owner, "holdings józef", extra) == V{"Acme Holdings Ltd"});
    CHECK(search(beta, "jozef", extra) == V{"Beta Muller GmbH"});
    CHECK(search(beta, "acme", extra).empty());
    CHECK(search(beta, "anna", extra).empty());
  }
  auto jozef = search(owner, "jozef");
  std::sort(jozef.begin(), jozef.end());
  CHECK(jozef == V{"Acme Holdings Ltd", "Jozef Nowak"});
  // A new contact person replaces the old one's words; an individual has none.
  REQUIRE(owner.request("PATCH", "/api/v1/clients/" + acme, R"({"contact_person":"Zofia Kowalska"})").status == 200);
  CHECK(search(owner, "muller").empty());
  CHECK(search(owner, "kowalska zofia") == V{"Acme Holdings Ltd"});
  REQUIRE(owner.request("PATCH", "/api/v1/clients/" + acme, R"({"kind":"individual"})").status == 200);
  CHECK(search(owner, "zofia").empty());
}
