// The portal read cache (http/read_cache.h, docs/portal-cache.md): a portal page a plugin declared
// cacheable (SDK 1.9 addCachedRead: the cases module's matter list and matter page) is answered
// from memory on a repeat, each view still recorded in the audit ledger, and every change the
// client must see reaches the cache at once: a staff write through lexosd, another process
// (lexosctl on SQLite), another lexosd node (PostgreSQL NOTIFY). One client's entry never
// answers another client, and a change of another client's rows keeps this client's entry.
#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "data/change_feed.h"
#include "data/connection.h"
#include "http/read_cache.h"
#include "identity/accounts.h"
#include "pg_cluster.h"
#include "test_host.h"

using namespace lexos::test;

namespace {

/// Keeps the lines of this process's "access" logger (at information level) while it lives.
class AccessLines {
 public:
  AccessLines() : logger_(Poco::Logger::get("access")), level_(logger_.getLevel()) {
    old_ = Poco::AutoPtr<Poco::Channel>(logger_.getChannel(), true);
    logger_.setChannel(capture_);
    logger_.setLevel(Poco::Message::PRIO_INFORMATION);
  }
  ~AccessLines() {
    logger_.setChannel(old_);
    logger_.setLevel(level_);
  }
  /// The field `name` of the access line of request `rid`, or "" when there is none.
  std::string field(const std::string& rid, const std::string& name) const {
    std::lock_guard<std::mutex> lock(capture_->mu);
    for (const auto& m : capture_->lines)
      if (m.count("request_id") && m.at("request_id") == rid) return m.count(name) ? m.at(name) : "";
    return "";
  }

 private:
  struct Capture : Poco::Channel {
    mutable std::mutex mu;
    std::vector<std::map<std::string, std::string>> lines;
    void log(const Poco::Message& m) override {
      std::map<std::string, std::string> fields;
      for (const char* k : {"request_id", "status", "bytes", "duration_ms", "route"})
        if (m.has(k)) fields[k] = m.get(k);
      std::lock_guard<std::mutex> lock(mu);
      lines.push_back(std::move(fields));
    }
  };
  Poco::Logger& logger_;
  int level_;
  Poco::AutoPtr<Capture> capture_{new Capture};
  Poco::AutoPtr<Poco::Channel> old_;
};

std::string idOf(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == 201);
  return jsonField(r.body, "id");
}

std::string cacheOf(const HttpResult& r) { return r.header("x-lexos-cache"); }

// A firm with two portal clients: Anderson (two matters, one update shared) and Smith (one).
struct PortalFirm {
  explicit PortalFirm(Db d, const std::string& extra = "")
      : db(d), t(d, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n" + extra) {
    firm = t.firm("acme");
    t.staff("acme", "owner@acme.test", "owner");
    staff = std::make_unique<HttpClient>(t.signedIn("acme", "owner@acme.test"));
    anderson = idOf(staff->post("/api/v1/clients", R"({"name":"Thomas Anderson"})"));
    smith = idOf(staff->post("/api/v1/clients", R"({"name":"Agent Smith"})"));
    kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + anderson +
                                                 R"(,"title":"Anderson v. Metacortex","phase":"discovery"})"));
    second = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + anderson + R"(,"title":"Anderson lease"})"));
    smithCase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + smith + R"(,"title":"Smith Holdings"})"));
    shared = idOf(staff->post("/api/v1/cases/" + kase + "/updates", R"({"text":"Hearing set for March.","client_visible":true})"));
    hidden = idOf(staff->post("/api/v1/cases/" + kase + "/updates", R"({"text":"Draft strategy."})"));
    t.portalUser("acme", std::stoll(anderson), "anderson@client.test");
    t.portalUser("acme", std::stoll(smith), "smith@client.test");
    a = std::make_unique<HttpClient>(t.signedIn("acme", "anderson@client.test"));
    b = std::make_unique<HttpClient>(t.signedIn("acme", "smith@client.test"));
  }
  // Audit rows of `action` recorded for request `rid` (chained or waiting to be: one snapshot).
  std::int64_t auditRows(const std::string& rid, const std::string& action) {
    // Whatever way reads' events wait to be chained, chaining now puts them in audit_log.
    t.host->auditSequencer().chainNow(firm);
    auto raw = t.host->ownerConnection();
    raw->begin(false);
    if (db == Db::PostgreSQL) raw->setScope({firm, 0});
    const std::string p = db == Db::SQLite ? "lexos_t_" : "";
    auto rs = raw->query("SELECT (SELECT count(*) FROM " + p + "audit_log WHERE request_id = $1 AND action = $2) + "
                         "(SELECT count(*) FROM " + p + "audit_pending WHERE request_id = $1 AND action = $2)",
                         {rid, action});
    raw->rollback();
    return lexos::sdk::asInt(rs.rows.at(0).at(0));
  }
  // GET twice; the second must be a hit. Returns the second answer.
  HttpResult warm(HttpClient& c, const std::string& path) {
    auto first = c.get(path);
    REQUIRE(first.status == 200);
    auto again = c.get(path);
    REQUIRE(again.status == 200);
    REQUIRE(cacheOf(again) == "hit");
    return again;
  }
  Db db;
  TempDir plugins;
  TestHost t;
  std::int64_t firm = 0;
  std::unique_ptr<HttpClient> staff, a, b;
  std::string anderson, smith, kase, second, smithCase, shared, hidden;
};

bool cacheLive(TestHost& t) { return lexos::core::ChangeFeed::forDatabase(t.host->config().database_url).live(); }

}  // namespace

TEST_CASE("a repeated portal matter list and matter page are answered from the cache and every view is audited") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  PortalFirm f(db);
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  for (const std::string& path : std::vector<std::string>{"/api/v1/portal/cases", "/api/v1/portal/cases/" + f.kase}) {
    INFO(path);
    const std::string action = path == "/api/v1/portal/cases" ? "portal.cases.view" : "portal.case.view";
    auto first = f.a->get(path);
    REQUIRE(first.status == 200);
    CHECK(cacheOf(first) == "miss");
    CHECK(f.auditRows(first.header("x-request-id"), action) == 1);
    for (int i = 0; i < 3; ++i) {
      auto again = f.a->get(path);
      REQUIRE(again.status == 200);
      CHECK(cacheOf(again) == "hit");
      CHECK(again.body == first.body);
      CHECK(again.header("content-type") == first.header("content-type"));
      // The view served from memory is in the ledger under its own request id.
      CHECK(again.header("x-request-id") != first.header("x-request-id"));
      CHECK(f.auditRows(again.header("x-request-id"), action) == 1);
    }
    // Another query string is another answer.
    CHECK(cacheOf(f.a->get(path + "?x=1")) == "miss");
    // Conditional and ranged requests take the handler's path.
    CHECK(cacheOf(f.a->request("GET", path, "", "application/json", {{"If-None-Match", "\"x\""}})) == "miss");
  }
  CHECK_THAT(f.a->get("/api/v1/portal/cases").body, Catch::Contains("Anderson v. Metacortex") && !Catch::Contains("Smith"));
  // Staff routes are never cached (no header).
  CHECK(cacheOf(f.staff->get("/api/v1/cases")) == "");
  CHECK(f.t.host->services().read_cache->hits() >= 6);
  // Counted in /metrics' collectors as well.
  CHECK(f.t.host->services().read_cache->entries() >= 2);
}

TEST_CASE("staff changes a client must see reach the portal cache at once: share, unshare, rename, phase label") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  PortalFirm f(db);
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  const std::string list = "/api/v1/portal/cases", page = "/api/v1/portal/cases/" + f.kase;

  // Share the hidden update: the page shows it on the next view.
  f.warm(*f.a, page);
  f.warm(*f.a, list);
  REQUIRE(f.staff->request("PATCH", "/api/v1/cases/" + f.kase + "/updates/" + f.hidden, R"({"client_visible":true})").status == 200);
  auto r = f.a->get(page);
  CHECK(cacheOf(r) == "miss");
  CHECK_THAT(r.body, Catch::Contains("Draft strategy."));
  CHECK(cacheOf(f.a->get(list)) == "miss");  // the list shows the latest shared update: same client key

  // Unshare it again: gone on the next view.
  f.warm(*f.a, page);
  REQUIRE(f.staff->request("PATCH", "/api/v1/cases/" + f.kase + "/updates/" + f.hidden, R"({"client_visible":false})").status == 200);
  r = f.a->get(page);
  CHECK(cacheOf(r) == "miss");
  CHECK_THAT(r.body, !Catch::Contains("Draft strategy."));

  // Rename the matter.
  f.warm(*f.a, list);
  REQUIRE(f.staff->request("PATCH", "/api/v1/cases/" + f.kase, R"({"title":"Anderson v. Metacortex Inc."})").status == 200);
  r = f.a->get(list);
  CHECK(cacheOf(r) == "miss");
  CHECK_THAT(r.body, Catch::Contains("Anderson v. Metacortex Inc."));

  // The firm renames a phase (a firm-shared row): every client's pages.
  f.warm(*f.a, list);
  f.warm(*f.b, "/api/v1/portal/cases");
  REQUIRE(f.staff->request("PUT", "/api/v1/cases/phases/discovery", R"({"label":"Evidence"})").status == 200);
  r = f.a->get(list);
  CHECK(cacheOf(r) == "miss");
  CHECK_THAT(r.body, Catch::Contains("Evidence"));
  CHECK(cacheOf(f.b->get("/api/v1/portal/cases")) == "miss");

  // A change of ANOTHER client's matter leaves this client's entries: the keys are per client.
  f.warm(*f.a, list);
  f.warm(*f.a, page);
  f.warm(*f.b, "/api/v1/portal/cases");
  REQUIRE(f.staff->request("PATCH", "/api/v1/cases/" + f.smithCase, R"({"title":"Smith Holdings Ltd"})").status == 200);
  CHECK(cacheOf(f.a->get(list)) == "hit");
  CHECK(cacheOf(f.a->get(page)) == "hit");
  r = f.b->get("/api/v1/portal/cases");
  CHECK(cacheOf(r) == "miss");
  CHECK_THAT(r.body, Catch::Contains("Smith Holdings Ltd"));
}

TEST_CASE("two portal clients of one firm never get each other's cached answer") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  PortalFirm f(db);
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  auto mine = f.warm(*f.a, "/api/v1/portal/cases");
  CHECK_THAT(mine.body, Catch::Contains("Anderson v. Metacortex") && !Catch::Contains("Smith Holdings"));
  auto theirs = f.b->get("/api/v1/portal/cases");
  REQUIRE(theirs.status == 200);
  CHECK(cacheOf(theirs) == "miss");
  CHECK_THAT(theirs.body, Catch::Contains("Smith Holdings") && !Catch::Contains("Anderson"));
  // The same path with another client's matter id: still the handler's 404, never a kept answer.
  f.warm(*f.a, "/api/v1/portal/cases/" + f.kase);
  auto probe = f.b->get("/api/v1/portal/cases/" + f.kase);
  CHECK(probe.status == 404);
  CHECK(cacheOf(probe) == "miss");
  // 404s are not kept.
  CHECK(cacheOf(f.b->get("/api/v1/portal/cases/" + f.kase)) == "miss");
}

TEST_CASE("SQLite: a change made by another process (lexosctl) reaches a running lexosd's portal cache") {
  PortalFirm f(Db::SQLite);
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  f.warm(*f.a, "/api/v1/portal/cases");
  // The firm's settings are read by portal answers (Context::firm): a firm-wide portal key.
  const std::string cmd = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + f.t.dir.path +
                          "/lexos.ini firm set --firm acme --address '1 Main Street' >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(cacheOf(f.a->get("/api/v1/portal/cases")) == "miss");
  // A raw write to the stored table by another connection (its own lexos_guard_changed, as every
  // connection of the host has) reaches it too.
  f.warm(*f.a, "/api/v1/portal/cases");
  auto raw = lexos::core::openConnection(f.t.host->config().database_url, nullptr);
  raw->executeScript("UPDATE lexos_t_cases SET title = 'Renamed behind its back' WHERE id = " + f.kase);
  auto r = f.a->get("/api/v1/portal/cases");
  CHECK(cacheOf(r) == "miss");
  CHECK_THAT(r.body, Catch::Contains("Renamed behind its back"));
}

TEST_CASE("PostgreSQL: a change through one lexosd node reaches another node's portal cache") {
  PortalFirm f(Db::PostgreSQL);
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  // A second node on the same database: its own pool, guard, feed and cache (the URL differs
  // only in its application_name, so nothing is shared in this process but the database).
  const std::string url2 = pgCluster().runtime + "?application_name=lexosd-node-2";
  TempDir dir2, plugins2;  // its own copy of the plugins: node 1's stay as they are, mapped
  auto cfg = lexos::core::Config::load(
      writeConfig(dir2.path, Db::PostgreSQL, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins2) + "\n"),
      {{"LEXOS_DATABASE_URL", url2}});
  auto node2 = std::make_unique<lexos::core::Host>(cfg);
  node2->prepareDatabase(false);
  node2->startServer();
  struct Stop {
    lexos::core::Host& h;
    ~Stop() { h.stopServer(); }
  } stop{*node2};
  REQUIRE(waitFor([&] { return lexos::core::ChangeFeed::forDatabase(url2).live(); }, 5));
  HttpClient a2(node2->port());
  a2.cookie = f.a->cookie;
  a2.csrf = f.a->csrf;
  const std::string page = "/api/v1/portal/cases/" + f.kase;
  f.warm(a2, page);
  // Shared through node 1: node 2 hears it through NOTIFY. Polled, not slept.
  REQUIRE(f.staff->request("PATCH", "/api/v1/cases/" + f.kase + "/updates/" + f.hidden, R"({"client_visible":true})").status == 200);
  HttpResult r;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(waitFor([&] {
    r = a2.get(page);
    return cacheOf(r) == "miss";
  }, 3));
  CHECK_THAT(r.body, Catch::Contains("Draft strategy."));
  WARN("a share on node 1 reached node 2's portal cache after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count() << " ms");
  // And a phase label (firm-wide key) the same way.
  f.warm(a2, page);
  REQUIRE(f.staff->request("PUT", "/api/v1/cases/phases/discovery", R"({"label":"Evidence"})").status == 200);
  CHECK(waitFor([&] {
    r = a2.get(page);
    return cacheOf(r) == "miss";
  }, 3));
  CHECK_THAT(r.body, Catch::Contains("Evidence"));
}

TEST_CASE("the guard runs before the portal cache: a signed-out session or a module switched off is refused as before") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  PortalFirm f(db);
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  const std::string list = "/api/v1/portal/cases";
  f.warm(*f.a, list);
  f.warm(*f.b, list);
  lexos::core::Accounts(*f.t.host).setModule("acme", "cases", false);
  CHECK(f.a->get(list).status == 404);
  lexos::core::Accounts(*f.t.host).setModule("acme", "cases", true);
  CHECK(f.a->get(list).status == 200);
  f.warm(*f.a, list);
  HttpClient stale = *f.a;
  REQUIRE(f.a->request("POST", "/api/v1/auth/logout").status == 204);
  auto r = stale.get(list);
  CHECK(r.status == 401);
  CHECK(cacheOf(r) == "");
  // A disabled portal user likewise.
  lexos::core::Accounts(*f.t.host).setUserStatus("acme", "smith@client.test", false);
  CHECK(f.b->get(list).status == 401);
}

TEST_CASE("with cache.portal_seconds = 0 no portal answer is kept, and a bad cache setting stops start-up naming the key") {
  PortalFirm f(Db::SQLite, "[cache]\nportal_seconds = 0\n");
  CHECK(f.t.host->services().read_cache == nullptr);
  for (int i = 0; i < 3; ++i) {
    auto r = f.a->get("/api/v1/portal/cases");
    REQUIRE(r.status == 200);
    CHECK(cacheOf(r) == "miss");
    CHECK(f.auditRows(r.header("x-request-id"), "portal.cases.view") == 1);
  }
  for (const auto& [ini, key] : std::vector<std::pair<std::string, std::string>>{
           {"[cache]\nportal_seconds = -1\n", "cache.portal_seconds"},
           {"[cache]\nportal_seconds = soon\n", "cache.portal_seconds"},
           {"[cache]\nportal_entries = 0\n", "cache.portal_entries"}}) {
    INFO(ini);
    TempDir d;
    std::string error = "(accepted)";
    try {
      lexos::core::Config::load(writeConfig(d.path, Db::SQLite, "probe", ini), {});
    } catch (const std::exception& e) {
      error = e.what();
    }
    CHECK_THAT(error, Catch::Contains(key));
  }
  TempDir d;
  CHECK_THROWS_WITH(lexos::core::Config::load(writeConfig(d.path, Db::SQLite, "probe"), {{"LEXOS_CACHE_PORTAL_SECONDS", "x"}}),
                    Catch::Contains("cache.portal_seconds"));
}

TEST_CASE("PostgreSQL: the portal triggers list each key once per transaction and the firm's key once 64 are listed") {
  PortalFirm f(Db::PostgreSQL);
  auto raw = f.t.host->ownerConnection();
  auto listed = [&] {
    return lexos::sdk::asText(raw->query("SELECT current_setting('lexos.guard_changed', true)", {}).rows.at(0).at(0));
  };
  const std::string client = "-" + f.anderson + " ", firm = "-" + std::to_string(f.firm) + " ";
  raw->begin(true);
  raw->setScope({f.firm, 0});
  raw->executeScript("SELECT set_config('lexos.guard_changed', '', true)");
  raw->execute("UPDATE cases SET title = title WHERE id = $1", {std::stoll(f.kase)});
  raw->execute("UPDATE cases SET title = title WHERE id = $1", {std::stoll(f.second)});
  CHECK(listed() == client);  // two rows of one client: one key
  raw->execute("UPDATE case_phase_labels SET label = label", {});
  raw->execute("INSERT INTO case_phase_labels (firm_id, phase, label) VALUES ($1, 'discovery', 'Disclosure')", {f.firm});
  CHECK(listed() == client + firm);  // a firm-shared row: the firm's portal key
  raw->rollback();
  // A transaction that has listed 64 keys announces a further client's change as its firm's.
  raw->begin(true);
  raw->setScope({f.firm, 0});
  std::string many;
  for (int i = 1; i <= 64; ++i) many += std::to_string(i) + " ";
  raw->executeScript("SELECT set_config('lexos.guard_changed', '" + many + "', true)");
  raw->execute("UPDATE cases SET title = title WHERE id = $1", {std::stoll(f.smithCase)});
  raw->execute("UPDATE cases SET title = title WHERE id = $1", {std::stoll(f.kase)});
  CHECK(listed() == many + firm);
  raw->rollback();
}

TEST_CASE("/metrics counts the portal cache's hits, misses and entries") {
  PortalFirm f(Db::SQLite, "[metrics]\nlisten = 127.0.0.1:0\n");
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  f.warm(*f.a, "/api/v1/portal/cases");
  REQUIRE(cacheOf(f.a->get("/api/v1/portal/cases")) == "hit");
  HttpClient m(f.t.host->metricsPort());
  auto r = m.get("/metrics");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.body, Catch::Contains("\nlexos_portal_cache_hits_total 2\n") &&
                         Catch::Contains("\nlexos_portal_cache_misses_total 1\n") &&
                         Catch::Contains("\nlexos_portal_cache_entries 1\n"));
}

TEST_CASE("PostgreSQL: with more workers than pooled connections, views waiting for their group commit hold no connection") {
  // 16 workers, 2 connections. A view waiting for the group commit once kept its request's
  // connection: two such views held the whole pool while the commit's lead, a cached view that
  // had borrowed none, waited for one until the pool's 10 s timeout, and answered 503.
  PortalFirm f(Db::PostgreSQL, "[server]\nthreads = 16\n[database]\npool_size = 2\n");
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  REQUIRE(f.a->get("/api/v1/portal/cases").status == 200);
  constexpr int kThreads = 16, kRounds = 15;
  std::vector<std::vector<int>> statuses(kThreads);
  std::vector<std::thread> browsing;
  for (int i = 0; i < kThreads; ++i) {
    browsing.emplace_back([&, i] {
      HttpClient c(f.t.port());
      c.cookie = f.a->cookie;
      auto status = [&c](const std::string& path) {
        try {
          return c.get(path).status;
        } catch (const std::exception&) {  // no answer before the client's timeout
          return -1;
        }
      };
      for (int r = 0; r < kRounds; ++r) {
        // A miss (a query string not seen before: the handler, a pooled connection) and a hit.
        statuses[i].push_back(status("/api/v1/portal/cases?t=" + std::to_string(i) + "-" + std::to_string(r)));
        statuses[i].push_back(status("/api/v1/portal/cases"));
      }
    });
  }
  for (auto& t : browsing) t.join();
  int ok = 0, other = 0;
  for (const auto& s : statuses)
    for (int st : s) (st == 200 ? ok : other)++;
  CHECK(other == 0);
  CHECK(ok == kThreads * kRounds * 2);
  // Every view served is in the ledger.
  f.t.host->auditSequencer().chainNow(f.firm);
  auto raw = f.t.host->ownerConnection();
  raw->begin(false);
  raw->setScope({f.firm, 0});
  auto rs = raw->query("SELECT count(*) FROM audit_log WHERE action = 'portal.cases.view'", {});
  raw->rollback();
  CHECK(lexos::sdk::asInt(rs.rows.at(0).at(0)) == ok + 1);
}

TEST_CASE("PostgreSQL: a portal view whose audit event cannot be committed is answered 503, never shown unrecorded") {
  // The answer waits for its events' commit without a worker (AuditSequencer::recordReadLater);
  // when the commit fails the answer held is dropped for a 503, from the cache or the handler.
  PortalFirm f(Db::PostgreSQL);
  REQUIRE(waitFor([&] { return cacheLive(f.t); }, 5));
  f.warm(*f.a, "/api/v1/portal/cases");
  const auto before = f.t.host->serverStats();
  CHECK(before.held_for_audit >= 2);
  // The access log, as lexosd writes it (this process's "access" logger).
  AccessLines log;
  auto owner = f.t.host->ownerConnection();
  owner->executeScript("REVOKE INSERT ON audit_pending FROM lexos_app");
  auto hit = f.a->get("/api/v1/portal/cases");
  CHECK(hit.status == 503);
  CHECK_THAT(hit.body, Catch::Contains("\"code\":\"audit_unavailable\""));
  CHECK_THAT(hit.body, !Catch::Contains("Anderson v. Metacortex"));
  CHECK(hit.header("retry-after") == "1");
  CHECK_FALSE(hit.header("x-request-id").empty());  // as every answer has, to find its log line
  auto miss = f.a->get("/api/v1/portal/cases/" + f.kase);
  CHECK(miss.status == 503);
  CHECK_THAT(miss.body, !Catch::Contains("Anderson v. Metacortex"));
  // HEAD: the same refusal, and no body after its head. Read off the wire (an HTTP client reads
  // no body for HEAD whatever the server sends): the answer ends with its head, then the close.
  auto head = f.a->request("HEAD", "/api/v1/portal/cases");
  CHECK(head.status == 503);
  {
    Poco::Net::StreamSocket wire(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(f.t.port())));
    wire.setReceiveTimeout(Poco::Timespan(10, 0));
    const std::string ask = "HEAD /api/v1/portal/cases HTTP/1.1\r\nHost: x\r\nCookie: " + f.a->cookie + "\r\n\r\n";
    wire.sendBytes(ask.data(), static_cast<int>(ask.size()));
    std::string got;
    char buf[4096];
    for (int n; (n = wire.receiveBytes(buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    INFO(got);
    CHECK(got.rfind("HTTP/1.1 503 ", 0) == 0);
    CHECK(got.find("Content-Length: ") != std::string::npos);  // the size a GET's body would have
    CHECK(got.size() == got.find("\r\n\r\n") + 4);           // and nothing after the head
  }
  CHECK(f.t.host->serverStats().audit_refused >= before.audit_refused + 4);
  owner->executeScript("GRANT INSERT ON audit_pending TO lexos_app");
  auto back = f.a->get("/api/v1/portal/cases");
  CHECK(back.status == 200);
  CHECK(f.auditRows(back.header("x-request-id"), "portal.cases.view") == 1);
  // Each request's access line says what its client got: the 503 with its body's size, not the
  // answer that was held and dropped; the 200 with the bytes sent.
  CHECK(log.field(hit.header("x-request-id"), "status") == "503");
  CHECK(log.field(hit.header("x-request-id"), "bytes") == std::to_string(hit.body.size()));
  CHECK(log.field(miss.header("x-request-id"), "status") == "503");
  CHECK(log.field(head.header("x-request-id"), "status") == "503");
  CHECK(log.field(head.header("x-request-id"), "bytes") == "0");
  CHECK(log.field(back.header("x-request-id"), "status") == "200");
  CHECK(log.field(back.header("x-request-id"), "bytes") == std::to_string(back.body.size()));
}
