// The guard's session cache (session.cache_seconds): repeated session checks are answered from
// memory, and every change that ends or alters a session reaches the cache at once: through the
// change feed's shared file on SQLite (lexosctl included), through LISTEN/NOTIFY between
// PostgreSQL nodes.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "data/change_feed.h"
#include "data/sqlite_connection.h"
#include "identity/accounts.h"
#include "pg_cluster.h"
#include "test_host.h"

using namespace lexos::test;

namespace {

std::uint64_t hits(TestHost& t) { return t.host->guard().cacheStats().first; }
std::uint64_t misses(TestHost& t) { return t.host->guard().cacheStats().second; }

// Runs SQL on the firms table (outside any tenant) through a runtime connection.
void sql(TestHost& t, const std::string& statement) {
  auto c = t.host->pool().acquire();
  c->begin(true);
  c->execute(statement, {});
  c->commit();
}

// Polls `f` up to `ms` milliseconds; returns how long it took, or -1.
template <class F>
long within(long ms, F f) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const long took = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
    if (f()) return took;
    if (took > ms) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

TEST_CASE("the guard answers repeated session checks from its cache, and sign-out, disabling and firm changes reach it at once") {
  for (Db db : {Db::SQLite, Db::PostgreSQL}) {
    INFO(dbName(db));
    TestHost t(db);
    t.firm("alpha");
    t.firm("beta");
    t.staff("alpha", "a@alpha.test", "owner");
    t.staff("alpha", "b@alpha.test", "paralegal");
    t.staff("beta", "c@beta.test", "owner");
    REQUIRE(within(5000, [&] { return t.host->guard().cacheLive(); }) >= 0);

    auto a = t.signedIn("alpha", "a@alpha.test"), b = t.signedIn("alpha", "b@alpha.test"), c = t.signedIn("beta", "c@beta.test");

    // First check reads the database, the next ones come from the cache.
    const auto m0 = misses(t), h0 = hits(t);
    REQUIRE(a.get("/api/v1/me").status == 200);
    CHECK(misses(t) == m0 + 1);
    for (int i = 0; i < 5; ++i) REQUIRE(a.get("/api/v1/me").status == 200);
    CHECK(hits(t) == h0 + 5);
    REQUIRE(b.get("/api/v1/me").status == 200);
    REQUIRE(c.get("/api/v1/me").status == 200);

    // A forged firm id in front of a real token is not a cache hit either.
    auto forged = t.client();
    const auto dot = c.cookie.find('.');
    const auto eq = c.cookie.find('=');
    forged.cookie = c.cookie.substr(0, eq + 1) + "1" + c.cookie.substr(dot);
    CHECK(forged.get("/api/v1/me").status == 401);

    // Disabling b (another process or node would do the same through the feed) ends b's session
    // at once, though it was cached.
    lexos::core::Accounts(*t.host).setUserStatus("alpha", "b@alpha.test", false);
    CHECK(b.get("/api/v1/me").status == 401);

    // A firm's new name shows at once.
    sql(t, "UPDATE firms SET name = 'Alpha & Partners' WHERE slug = 'alpha'");
    auto me = a.get("/api/v1/me");
    REQUIRE(me.status == 200);
    CHECK(me.body.find("Alpha & Partners") != std::string::npos);

    // Changes in firm alpha leave beta's cached session alone.
    const auto h1 = hits(t);
    CHECK(c.get("/api/v1/me").status == 200);
    CHECK(hits(t) == h1 + 1);

    // Sign-out ends the session at once.
    CHECK(a.request("POST", "/api/v1/auth/logout").status == 204);
    CHECK(a.get("/api/v1/me").status == 401);

    // Unsafe requests from cached sessions still need the CSRF token.
    REQUIRE(c.get("/api/v1/me").status == 200);
    auto r = c.request("POST", "/api/v1/auth/logout", "", "application/json", {{"Cookie", c.cookie}}, /*raw=*/true);
    CHECK(r.status == 403);
    CHECK(c.get("/api/v1/me").status == 200);
  }
}

TEST_CASE("with session.cache_seconds = 0 every session check reads the database") {
  TestHost t(Db::SQLite, "probe", "[session]\ncache_seconds = 0\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto a = t.signedIn("alpha", "a@alpha.test");
  CHECK_FALSE(t.host->guard().cacheLive());
  for (int i = 0; i < 3; ++i) REQUIRE(a.get("/api/v1/me").status == 200);
  CHECK(hits(t) == 0);
  CHECK(misses(t) == 3);
  CHECK_THAT(a.get("/readyz").body, Catch::Contains("\"session_cache\":\"disabled\""));
}

TEST_CASE("lexosctl disabling a user reaches a running lexosd's session cache on SQLite at once") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto a = t.signedIn("alpha", "a@alpha.test");
  REQUIRE(a.get("/api/v1/me").status == 200);
  const auto h0 = hits(t);
  REQUIRE(a.get("/api/v1/me").status == 200);
  REQUIRE(hits(t) == h0 + 1);  // cached
  const std::string cmd = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path +
                          "/lexos.ini user disable --firm alpha --email a@alpha.test >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(a.get("/api/v1/me").status == 401);
}

TEST_CASE("two lexosd nodes on one PostgreSQL: a sign-out or a disabled user on one reaches the other's cache") {
  TestHost a(Db::PostgreSQL);
  a.firm("alpha");
  a.staff("alpha", "x@alpha.test", "owner");
  a.staff("alpha", "y@alpha.test", "attorney");
  // A second node: its own pool, guard and change feed (the URL differs only in its
  // application_name, so nothing is shared in this process but the database).
  const std::string url2 = pgCluster().runtime + "?application_name=lexosd-node-2";
  TempDir dir2;
  auto cfg = lexos::core::Config::load(writeConfig(dir2.path, Db::PostgreSQL, "probe"), {{"LEXOS_DATABASE_URL", url2}});
  auto node2 = std::make_unique<lexos::core::Host>(cfg);
  node2->prepareDatabase(false);
  node2->startServer();
  struct Stop {
    lexos::core::Host& h;
    ~Stop() { h.stopServer(); }
  } stop{*node2};
  auto& feed2 = lexos::core::ChangeFeed::forDatabase(url2);
  REQUIRE(&feed2 != &lexos::core::ChangeFeed::forDatabase(pgCluster().runtime));
  REQUIRE(within(5000, [&] { return node2->guard().cacheLive(); }) >= 0);

  // Signed in on node 1, used on node 2 (cached there).
  auto x1 = a.signedIn("alpha", "x@alpha.test"), y1 = a.signedIn("alpha", "y@alpha.test");
  HttpClient x2(node2->port()), y2(node2->port());
  x2.cookie = x1.cookie;
  x2.csrf = x1.csrf;
  y2.cookie = y1.cookie;
  REQUIRE(x2.get("/api/v1/me").status == 200);
  const auto h0 = node2->guard().cacheStats().first;
  REQUIRE(x2.get("/api/v1/me").status == 200);
  REQUIRE(y2.get("/api/v1/me").status == 200);
  REQUIRE(y2.get("/api/v1/me").status == 200);
  REQUIRE(node2->guard().cacheStats().first >= h0 + 2);

  // Sign-out on node 1: node 2 hears it through NOTIFY. The time it takes is the window in which
  // node 2 could still answer from memory; it is printed, not asserted.
  const auto n0 = feed2.notificationsReceived();
  REQUIRE(x1.request("POST", "/api/v1/auth/logout").status == 204);
  const long took = within(2000, [&] { return x2.get("/api/v1/me").status == 401; });
  CHECK(took >= 0);
  CHECK(feed2.notificationsReceived() > n0);
  WARN("sign-out on node 1 reached node 2's cache after " << took << " ms");

  // A user disabled on node 1 (lexosctl would do the same) is signed out on node 2.
  lexos::core::Accounts(*a.host).setUserStatus("alpha", "y@alpha.test", false);
  CHECK(within(2000, [&] { return y2.get("/api/v1/me").status == 401; }) >= 0);
}

TEST_CASE("while the PostgreSQL change listener is down the cache does not answer, and nothing cached before survives it") {
  TestHost t(Db::PostgreSQL);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto& feed = lexos::core::ChangeFeed::forDatabase(pgCluster().runtime);
  REQUIRE(within(5000, [&] { return t.host->guard().cacheLive(); }) >= 0);
  auto a = t.signedIn("alpha", "a@alpha.test");
  REQUIRE(a.get("/api/v1/me").status == 200);
  const auto h0 = hits(t);
  REQUIRE(a.get("/api/v1/me").status == 200);
  REQUIRE(hits(t) == h0 + 1);

  // Stopped: not live, every check reads the database.
  feed.stopListener();
  CHECK_FALSE(t.host->guard().cacheLive());
  const auto m0 = misses(t);
  REQUIRE(a.get("/api/v1/me").status == 200);
  CHECK(misses(t) == m0 + 1);
  feed.startListener();
  REQUIRE(within(5000, [&] { return t.host->guard().cacheLive(); }) >= 0);

  // The listener's connection killed under it (a server restart, a failover): it reconnects,
  // and what was cached before is not trusted again.
  REQUIRE(a.get("/api/v1/me").status == 200);
  REQUIRE(a.get("/api/v1/me").status == 200);  // cached again
  auto c = lexos::core::openConnection(pgCluster().runtime, nullptr);
  auto pid = c->query("SELECT pid FROM pg_stat_activity WHERE application_name = 'lexosd change listener'", {});
  REQUIRE(pid.rows.size() == 1);
  const auto old = lexos::sdk::asInt(pid.rows[0][0]);
  c->query("SELECT pg_terminate_backend($1::int)", {old});
  // Disabled while the listener may be gone: its notification can be lost, the reconnection
  // must make up for it.
  lexos::core::Accounts(*t.host).setUserStatus("alpha", "a@alpha.test", false);
  REQUIRE(within(5000, [&] {
            auto now = c->query("SELECT pid FROM pg_stat_activity WHERE application_name = 'lexosd change listener'", {});
            return now.rows.size() == 1 && lexos::sdk::asInt(now.rows[0][0]) != old && t.host->guard().cacheLive();
          }) >= 0);
  CHECK(a.get("/api/v1/me").status == 401);
}

TEST_CASE("the idle clock and password changes do not flush a firm's cached sessions, while role and status changes do") {
  for (Db db : {Db::SQLite, Db::PostgreSQL}) {
    INFO(dbName(db));
    TestHost t(db);
    const auto firm = t.firm("alpha");
    const auto user = t.staff("alpha", "a@alpha.test", "owner");
    auto a = t.signedIn("alpha", "a@alpha.test");
    auto& feed = lexos::core::ChangeFeed::forDatabase(t.host->config().database_url);
    auto change = [&](const std::string& statement) {
      const auto before = feed.generation(firm);
      auto c = t.host->pool().acquire();
      c->begin(true);
      c->setScope({firm, 0});
      c->execute(statement, {user});
      c->commit();
      return feed.generation(firm) != before;
    };
    CHECK_FALSE(change("UPDATE sessions SET last_seen_at = '2031-01-01T00:00:00Z' WHERE user_id = $1"));
    CHECK_FALSE(change("UPDATE users SET password_hash = password_hash WHERE id = $1"));
    CHECK_FALSE(change("UPDATE users SET role = 'owner' WHERE id = $1"));  // same value
    CHECK(change("UPDATE users SET role = 'attorney' WHERE id = $1"));
    CHECK(change("UPDATE users SET status = 'disabled' WHERE id = $1"));
    CHECK(change("DELETE FROM sessions WHERE user_id = $1"));
  }
}

TEST_CASE("SQLite: the shared change file is never followed through a link, and a process that cannot announce a change commits nothing") {
  TempDir dir;
  const std::string db = dir.path + "/lexos.db";
  {
    std::ofstream(dir.path + "/secret") << "keep me";
  }
  std::ofstream(db).close();  // the database exists (the feed waits for it otherwise)
  REQUIRE(::symlink((dir.path + "/secret").c_str(), (db + "-guard").c_str()) == 0);
  auto& feed = lexos::core::ChangeFeed::forDatabase("sqlite:" + db);
  CHECK_FALSE(feed.live());
  CHECK_FALSE(feed.announces());
  CHECK_THAT(feed.problem(), Catch::Contains("-guard"));
  struct stat st {};
  REQUIRE(::stat((dir.path + "/secret").c_str(), &st) == 0);
  CHECK(st.st_size == 7);  // untouched

  lexos::core::SqliteConnection c(db, nullptr);  // raw: no tenancy statement rules
  c.executeScript("CREATE TABLE t (x INTEGER)");
  c.begin(true);
  c.execute("INSERT INTO t (x) VALUES (1)", {});
  c.noteGuardChange(42);  // as the triggers on sessions, users, firms do
  CHECK_THROWS_WITH(c.commit(), Catch::Contains("cannot be announced") && Catch::Contains("nothing was changed"));
  CHECK(c.query("SELECT count(*) FROM t", {}).rows[0][0] == lexos::sdk::Value(std::int64_t{0}));
  // The triggers' function refuses at the statement too, also outside a transaction.
  CHECK_THROWS_WITH(c.query("SELECT lexos_guard_changed(42)", {}), Catch::Contains("cannot be announced"));
}

TEST_CASE("SQLite: a change file replaced under a running process is mapped again and nothing cached before matches") {
  TempDir dir;
  const std::string db = dir.path + "/lexos.db";
  std::ofstream(db).close();
  auto& a = lexos::core::ChangeFeed::forDatabase("sqlite:" + db);
  REQUIRE(a.live());
  const auto g = a.generation(7);
  REQUIRE(::unlink((db + "-guard").c_str()) == 0);
  // Another process (here: another path to the same file) creates a new one and announces.
  auto& b = lexos::core::ChangeFeed::forDatabase("sqlite:" + dir.path + "/./lexos.db");
  REQUIRE(&a != &b);
  REQUIRE(b.live());
  b.publish({7});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(a.live());  // notices the new file (checked at most every 20 ms) and maps it
  CHECK(a.generation(7) != g);
  const auto g2 = a.generation(7);
  b.publish({7});
  CHECK(a.generation(7) != g2);  // and from now on shares it with b
}

TEST_CASE("PostgreSQL: a listener that cannot hear the changes' path never turns the cache on") {
  // Notifications are per database: listening on another database of the same server is like
  // LISTEN through PgBouncer in transaction mode, it answers but never hears anything.
  auto url = pgCluster().runtime;
  const auto slash = url.rfind('/');
  TempDir dir;
  TestHost t(Db::PostgreSQL, "probe", "[database]\nlisten_url = " + url.substr(0, slash) + "/postgres\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK_FALSE(t.host->guard().cacheLive());
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto a = t.signedIn("alpha", "a@alpha.test");
  for (int i = 0; i < 3; ++i) REQUIRE(a.get("/api/v1/me").status == 200);
  CHECK(hits(t) == 0);
  CHECK_THAT(a.get("/readyz").body, Catch::Contains("\"session_cache\":\"off\""));
}

TEST_CASE("module switches are cached with the sessions and a switch reaches the guard at once") {
  for (Db db : {Db::SQLite, Db::PostgreSQL}) {
    INFO(dbName(db));
    TestHost t(db);
    t.firm("alpha");
    t.staff("alpha", "a@alpha.test", "owner");
    REQUIRE(within(5000, [&] { return t.host->guard().cacheLive(); }) >= 0);
    auto a = t.signedIn("alpha", "a@alpha.test");
    for (int i = 0; i < 3; ++i) REQUIRE(a.get("/api/v1/probe/items").status == 200);
    lexos::core::Accounts(*t.host).setModule("alpha", "probe", false);
    CHECK(a.get("/api/v1/probe/items").status == 404);
    CHECK(a.get("/api/v1/probe/items").status == 404);
    lexos::core::Accounts(*t.host).setModule("alpha", "probe", true);
    CHECK(a.get("/api/v1/probe/items").status == 200);
  }
}

TEST_CASE("SQLite: the change file waits for the database, takes its owner and mode, and a hard link is refused") {
  TempDir dir;
  const std::string db = dir.path + "/lexos.db";
  auto& feed = lexos::core::ChangeFeed::forDatabase("sqlite:" + db);
  CHECK_FALSE(feed.announces());  // no database yet: nothing created
  CHECK(::access((db + "-guard").c_str(), F_OK) != 0);
  { std::ofstream(db).close(); }
  REQUIRE(::chmod(db.c_str(), 0640) == 0);
  CHECK(feed.prepare());
  struct stat st {};
  REQUIRE(::stat((db + "-guard").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(st.st_size == static_cast<off_t>(lexos::core::ChangeFeed::kSlots * sizeof(std::uint64_t)));

  // A hard link in place of the file (it could point anywhere the account can reach).
  TempDir dir2;
  const std::string db2 = dir2.path + "/lexos.db";
  { std::ofstream(db2).close(); }
  { std::ofstream(dir2.path + "/other") << "keep me"; }
  REQUIRE(::link((dir2.path + "/other").c_str(), (db2 + "-guard").c_str()) == 0);
  auto& linked = lexos::core::ChangeFeed::forDatabase("sqlite:" + db2);
  CHECK_FALSE(linked.prepare());
  CHECK_THAT(linked.problem(), Catch::Contains("one link"));
  REQUIRE(::stat((dir2.path + "/other").c_str(), &st) == 0);
  CHECK(st.st_size == 7);
}

TEST_CASE("SQLite: lexosd refuses to start when it cannot use the change file, naming it") {
  TempDir dir;
  const std::string file = writeConfig(dir.path, Db::SQLite, "probe");
  auto run = [&](const std::string& args, std::string& out) {
    const std::string cmd = std::string(LEXOS_BINARY_DIR) + "/bin/" + args + " --config " + file + " 2>&1";
    out.clear();
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    return pclose(p);
  };
  std::string out;
  REQUIRE(run("lexosd --check", out) == 0);  // creates the database and its change file
  const std::string guard = dir.path + "/state/lexos.db-guard";
  REQUIRE(::unlink(guard.c_str()) == 0);
  REQUIRE(::mkdir(guard.c_str(), 0700) == 0);  // something that is not the file
  CHECK(run("lexosd --check", out) != 0);
  CHECK_THAT(out, Catch::Contains("lexos.db-guard") && Catch::Contains("read and write"));
}

TEST_CASE("PostgreSQL through PgBouncer in transaction mode: prepared_statements = false, LISTEN direct, the cache on") {
  // Debian 12's PgBouncer (1.18) cannot carry named prepared statements between server
  // connections nor a LISTEN: lexosd goes through it with database.prepared_statements = false
  // and listens on the server directly (database.listen_url).
  const std::string direct = pgCluster().runtime;
  const auto colon = direct.rfind(':');
  const std::string pgPort = direct.substr(colon + 1, direct.find('/', colon) - colon - 1);
  TempDir bouncer;
  const std::string bdir = bouncer.path + "/pgbouncer";
  ::chmod(bouncer.path.c_str(), 0755);
  std::string url;
  {
    const std::string cmd = "bash '" LEXOS_SOURCE_DIR "/tests/support/pgbouncer.sh' start '" + bdir + "' " + pgPort;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[512];
    while (fgets(buf, sizeof buf, p)) {
      std::string line = buf;
      const std::string key = "LEXOS_TEST_PGBOUNCER_URL=";
      if (line.rfind(key, 0) == 0) url = line.substr(key.size(), line.find_last_not_of("\n") + 1 - key.size());
    }
    REQUIRE(pclose(p) == 0);
  }
  REQUIRE_FALSE(url.empty());
  struct Stop {
    std::string dir;
    ~Stop() { std::system(("bash '" LEXOS_SOURCE_DIR "/tests/support/pgbouncer.sh' stop '" + dir + "' >/dev/null 2>&1").c_str()); }
  } stop{bdir};

  TestHost t(Db::PostgreSQL, "probe",
             "[database]\nprepared_statements = false\nlisten_url = " + direct + "\n",
             {{"LEXOS_DATABASE_URL", url}});
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  REQUIRE(within(5000, [&] { return t.host->guard().cacheLive(); }) >= 0);
  auto a = t.signedIn("alpha", "a@alpha.test");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(a.get("/api/v1/me").status == 200);
    REQUIRE(a.get("/api/v1/probe/items").status == 200);
  }
  CHECK(hits(t) >= 4);
  // Several clients at once: their transactions share PgBouncer's four server connections.
  // One account each: more than 5 sign-ins of one account from one address at the same moment
  // would meet the sign-in throttle's pair limit (docs/throttling.md).
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int n = 0; n < 6; ++n) t.staff("alpha", "u" + std::to_string(n) + "@alpha.test", "owner");
  for (int n = 0; n < 6; ++n)
    clients.emplace_back([&, n] {
      auto c = t.client();
      if (c.login("alpha", "u" + std::to_string(n) + "@alpha.test", TestHost::kPassword).status != 200) { ++failures; return; }
      for (int i = 0; i < 20; ++i)
        if (c.get("/api/v1/probe/items").status != 200 || c.post("/api/v1/probe/items?client_id=1", "").status != 201) ++failures;
    });
  for (auto& th : clients) th.join();
  CHECK(failures == 0);
  // Writes and tenancy work through it (each transaction may land on another server
  // connection): a sign-out ends the session at once.
  CHECK(a.request("POST", "/api/v1/auth/logout").status == 204);
  CHECK(a.get("/api/v1/me").status == 401);
}
