// Runs tests/security/matrix.json against a live lexosd with every bundled module and the probe
// plugin loaded, on SQLite and PostgreSQL. Fails when a registered route has no rows.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "identity/accounts.h"
#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr loadMatrix() {
  std::ifstream in(LEXOS_SOURCE_DIR "/tests/security/matrix.json");
  std::stringstream ss;
  ss << in.rdbuf();
  Poco::JSON::Parser p;
  return p.parse(ss.str()).extract<Object::Ptr>();
}

// Every bundled plugin and the test plugins that load cleanly, in one folder.
std::string pluginsDir(const std::string& into, std::string& enabled) {
  fs::create_directories(into);
  ::chmod(into.c_str(), 0755);
  std::vector<std::string> ids = {"probe"};
  fs::copy_file(fs::path(LEXOS_TEST_PLUGIN_DIR) / "probe.so", fs::path(into) / "probe.so");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(LEXOS_BINARY_DIR) / "plugins", ec)) {
    if (e.path().extension() != ".so") continue;
    fs::copy_file(e.path(), fs::path(into) / e.path().filename());
    ids.push_back(e.path().stem().string());
  }
  for (const auto& id : ids) enabled += (enabled.empty() ? "" : ",") + id;
  return into;
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

struct World {
  std::map<std::string, HttpClient> as;  // role -> signed-in client of firm A (portal: client C1)
  HttpClient ownerA{0}, ownerB{0};
  std::map<std::string, std::string> clientOf;  // relation -> client id
};

// Creates fixture `name` for `relation` as that relation's firm owner. `{client}` in its
// request is the relation's client; `{other}` for another fixture named `other` is created first
// (or taken from `made`, so that a case update belongs to the case the request names).
std::string fixture(World& w, const Object::Ptr& fixtures, const std::string& name, const std::string& relation,
                    std::map<std::string, std::string>& made) {
  if (made.count(name)) return made[name];
  auto f = fixtures->getObject(name);
  REQUIRE(f);
  auto fill = [&](std::string s) {
    s = replaceAll(s, "{client}", w.clientOf[relation]);
    for (const auto& other : fixtures->getNames())
      if (other != name && s.find("{" + other + "}") != std::string::npos)
        s = replaceAll(s, "{" + other + "}", fixture(w, fixtures, other, relation, made));
    return s;
  };
  const std::string create = f->getValue<std::string>("create");
  const auto sp = create.find(' ');
  std::string path = fill(create.substr(sp + 1));
  std::string body = f->has("body") ? fill(f->getValue<std::string>("body")) : "";
  HttpClient& owner = relation == "other_firm" ? w.ownerB : w.ownerA;
  auto r = owner.request(create.substr(0, sp), path, body, body.empty() ? "text/plain" : "application/json");
  INFO("fixture " << name << " for " << relation << ": " << r.status << " " << r.body);
  REQUIRE((r.status == 200 || r.status == 201));
  auto id = jsonField(r.body, f->optValue<std::string>("id_field", "id"));
  REQUIRE(!id.empty());
  if (f->has("then")) {  // a second step on the new object, e.g. share a document just uploaded
    const std::string then = replaceAll(f->getValue<std::string>("then"), "{id}", id);
    const std::string thenBody = f->has("then_body") ? fill(f->getValue<std::string>("then_body")) : "";
    const auto tsp = then.find(' ');
    auto t = owner.request(then.substr(0, tsp), then.substr(tsp + 1), thenBody,
                           thenBody.empty() ? "text/plain" : "application/json");
    INFO("fixture " << name << " step " << then << ": " << t.status << " " << t.body);
    REQUIRE((t.status == 200 || t.status == 201 || t.status == 204));
  }
  made[name] = id;
  return id;
}

std::string fixture(World& w, const Object::Ptr& fixtures, const std::string& name, const std::string& relation) {
  std::map<std::string, std::string> made;
  return fixture(w, fixtures, name, relation, made);
}

void runMatrix(Db db) {
  auto m = loadMatrix();
  TempDir pluginsTmp;
  std::string enabled;
  pluginsDir(pluginsTmp.path + "/plugins", enabled);
  TempDir cfgDir;
  // schedules: a feed secret, so that feed addresses are made (without it they answer 503).
  TestHost t(db, enabled,
             "[plugins]\ndir = " + pluginsTmp.path + "/plugins\n[plugin.schedules]\nfeed_secret = matrix-feed-secret\n");
  const auto fixtures = m->getObject("fixtures");

  // Every registered route must have an entry.
  std::set<std::string> listed;
  auto routes = m->getArray("routes");
  for (std::size_t i = 0; i < routes->size(); ++i) listed.insert(routes->getObject(i)->getValue<std::string>("route"));
  for (const auto& r : t.host->registry().routes()) {
    const std::string key = std::string(lexos::sdk::methodName(r.route.method)) + " " + r.route.path;
    INFO("route without rows in tests/security/matrix.json: " << key << " (plugin " << r.plugin << ")");
    CHECK(listed.count(key) == 1);
  }

  World w;
  t.firm("matrix-a");
  t.firm("matrix-b");
  const std::vector<std::string> staffRoles = {"owner", "attorney", "paralegal", "billing"};
  for (const auto& role : staffRoles) t.staff("matrix-a", role + "@a.test", role);
  t.staff("matrix-b", "owner@b.test", "owner");
  w.ownerA = t.client();
  w.ownerB = t.client();
  REQUIRE(w.ownerA.login("matrix-a", "owner@a.test", TestHost::kPassword).status == 200);
  REQUIRE(w.ownerB.login("matrix-b", "owner@b.test", TestHost::kPassword).status == 200);
  w.clientOf = {{"own", "101"}, {"other_client", "102"}, {"other_firm", "201"}};
  if (fixtures->has("client")) {  // with a clients module, the clients are real rows
    w.clientOf["own"] = fixture(w, fixtures, "client", "own");
    w.clientOf["other_client"] = fixture(w, fixtures, "client", "other_client");
    w.clientOf["other_firm"] = fixture(w, fixtures, "client", "other_firm");
  }
  t.portalUser("matrix-a", std::stoll(w.clientOf["own"]), "portal@a.test");

  auto signIn = [&](const std::string& role) {
    HttpClient c = t.client();
    if (role == "anonymous") return c;
    if (role == "portal") REQUIRE(c.login("matrix-a", "portal@a.test", TestHost::kPassword).status == 200);
    else REQUIRE(c.login("matrix-a", role + "@a.test", TestHost::kPassword).status == 200);
    return c;
  };
  for (const auto& role : staffRoles) w.as.emplace(role, signIn(role));
  w.as.emplace("portal", signIn("portal"));
  w.as.emplace("anonymous", signIn("anonymous"));

  int checked = 0;
  const auto roles = m->getArray("roles");
  const auto relations = m->getArray("relations");
  for (std::size_t i = 0; i < routes->size(); ++i) {
    const auto row = routes->getObject(i);
    const std::string route = row->getValue<std::string>("route");
    const auto sp = route.find(' ');
    const std::string method = route.substr(0, sp), tmpl = route.substr(sp + 1);
    const auto expect = row->getObject("expect");
    const bool perRelation = expect->has("own");
    for (std::size_t k = 0; k < relations->size(); ++k) {
      const std::string relation = relations->getElement<std::string>(k);
      if (!perRelation && relation != "own") continue;  // relation-free routes: checked once
      const auto byRole = perRelation ? expect->getObject(relation) : expect;
      REQUIRE(byRole);
      for (std::size_t j = 0; j < roles->size(); ++j) {
        const std::string role = roles->getElement<std::string>(j);
        // Path parameters: "=value" is literal, anything else names a fixture. Fixtures made
        // for one request are shared by its parameters.
        std::string path = tmpl;
        std::map<std::string, std::string> made, values;
        if (row->has("params")) {
          auto params = row->getObject("params");
          for (const auto& name : params->getNames()) {
            const std::string spec = params->getValue<std::string>(name);
            values[name] = spec.rfind("=", 0) == 0 ? spec.substr(1) : fixture(w, fixtures, spec, relation, made);
            path = replaceAll(path, "{" + name + "}", values[name]);
          }
        }
        auto fill = [&](std::string s) {
          s = replaceAll(s, "{client}", w.clientOf[relation]);
          s = replaceAll(s, "{role}", role);  // e.g. one sign-in throttle key per role
          for (const auto& [k, v] : values) s = replaceAll(s, "{" + k + "}", v);
          return s;
        };
        if (row->has("query")) path += "?" + fill(row->getValue<std::string>("query"));
        const std::string body = row->has("body") ? fill(row->getValue<std::string>("body")) : "";
        // logout ends the session it is called with: use a fresh one.
        HttpClient c = method == "POST" && tmpl == "/api/v1/auth/logout" ? signIn(role) : w.as.at(role);
        auto r = c.request(method, path, body, body.empty() || body[0] != '{' ? "text/plain" : "application/json");
        const int want = byRole->getValue<int>(role);
        INFO(dbName(db) << ": " << method << " " << path << " as " << role << " (" << relation << "): got " << r.status
                        << " " << r.body.substr(0, 200));
        CHECK(r.status == want);
        ++checked;
      }
    }
  }
  WARN("authorization matrix on " << dbName(db) << ": " << routes->size() << " routes, " << checked << " requests checked");
}

}  // namespace

TEST_CASE("authorization matrix holds on SQLite") { runMatrix(Db::SQLite); }

TEST_CASE("authorization matrix holds on PostgreSQL") { runMatrix(Db::PostgreSQL); }
