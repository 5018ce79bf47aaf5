// The guard only reads, and its reads end before the request's transaction begins: a request
// whose client is slow to send its body holds no write lock (SQLite), transaction or pooled
// connection (PostgreSQL) while it waits, so other firms sign in and other sessions read.
#include <catch2/catch.hpp>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "data/connection.h"
#include "guard/guard.h"
#include "test_host.h"
#include "data/lazy_connection.h"

using namespace lexos::test;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A write from a connection of its own, outside the pool: what another process would do.
void writeElsewhere(TestHost& t) {
  auto c = lexos::core::openConnection(t.host->config().database_url, nullptr);
  c->begin(true);  // SQLite: BEGIN IMMEDIATE, which waits (up to 10 s) for any other writer
  c->execute("INSERT INTO auth_attempts (key, reservation, at) VALUES ('elsewhere', 'r', 0)", {});
  c->commit();
}

}  // namespace

TEST_CASE("after an uncached session check nothing is held: another connection writes at once and the pool has the connection back") {
  for (Db db : {Db::SQLite, Db::PostgreSQL}) {
    INFO(dbName(db));
    // One pooled connection: a check that kept it would make the next borrower wait 10 s.
    TestHost t(db, "probe", "[session]\ncache_seconds = 0\n[database]\npool_size = 1\n");
    const auto alpha = t.firm("alpha");
    const auto beta = t.firm("beta");
    t.staff("alpha", "a@alpha.test", "owner");
    t.staff("beta", "b@beta.test", "owner");
    auto a = t.signedIn("alpha", "a@alpha.test");

    // As the dispatcher does for a POST: the request's write transaction may be asked for before
    // or after the check; either way the check reads on its own and starts nothing.
    lexos::core::LazyConnection conn(t.host->pool());
    conn.begin(true);
    const auto s = t.host->guard().authenticate(a.cookie, conn);
    REQUIRE(s.session_id != 0);
    CHECK_FALSE(s.from_cache);
    CHECK(s.principal.firm_id == alpha);
    CHECK(s.firm_slug == "alpha");
    REQUIRE(s.modules);  // the module switches came with the session
    CHECK_FALSE(conn.started());
    CHECK_FALSE(conn.holdsConnection());

    // Another writer (SQLite: BEGIN IMMEDIATE) gets the database at once.
    auto start = Clock::now();
    writeElsewhere(t);
    CHECK(secondsSince(start) < 2.0);

    {
      // The pool's only connection is back, bound to no firm: the read's tenant ended with it
      // (asked outside any transaction, which would set the tenant anew).
      start = Clock::now();
      auto lease = t.host->pool().acquire();
      CHECK(secondsSince(start) < 2.0);
      CHECK(lexos::sdk::asInt(lease->query("SELECT count(*) FROM users", {}).rows.at(0).at(0)) == 0);
      if (db == Db::PostgreSQL) {
        auto firm = lease->query("SELECT coalesce(current_setting('lexos.firm_id', true), '')", {});
        CHECK(lexos::sdk::asText(firm.rows.at(0).at(0)).empty());
        // And no other session of this database sits inside a transaction.
        auto open = lease->query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state LIKE 'idle in transaction%'",
            {});
        CHECK(lexos::sdk::asInt(open.rows.at(0).at(0)) == 0);
      }
    }

    // The request's transaction, when its first statement comes, is a write in the firm's scope.
    conn.setScope({s.principal.firm_id, 0});
    conn.execute("UPDATE users SET display_name = 'Alpha owner' WHERE id = $1", {s.principal.user_id});
    CHECK(conn.started());
    conn.commit();
    CHECK(conn.holdsConnection());  // kept after a transaction, as before ...

    // A forged firm id in the cookie finds nothing, and a missing session is anonymous.
    auto forged = a.cookie;
    forged.replace(forged.find('=') + 1, forged.find('.') - forged.find('=') - 1, std::to_string(beta));
    CHECK(t.host->guard().authenticate(forged, conn).session_id == 0);
    CHECK(t.host->guard().authenticate("", conn).session_id == 0);
    CHECK_FALSE(conn.holdsConnection());  // ... but a guard read gives it back

    auto me = a.get("/api/v1/me");
    REQUIRE(me.status == 200);
    CHECK_THAT(me.body, Catch::Contains("Alpha owner"));
  }
}

TEST_CASE("a staff POST whose body trickles in does not stall another firm's sign-in or another session's reads") {
  for (Db db : {Db::SQLite, Db::PostgreSQL}) {
    INFO(dbName(db));
    TempDir plugins;
    // Without the cache every check reads the database. On PostgreSQL one pooled connection:
    // a stalled request that kept it would stall everyone.
    TestHost t(db, "probe,clients",
               "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n[session]\ncache_seconds = 0\n" +
                   (db == Db::PostgreSQL ? "[database]\npool_size = 1\n" : ""));
    t.firm("alpha");
    t.firm("beta");
    t.staff("alpha", "a@alpha.test", "owner");
    t.staff("alpha", "p@alpha.test", "paralegal");
    t.staff("beta", "b@beta.test", "owner");
    auto a = t.signedIn("alpha", "a@alpha.test");
    auto p = t.signedIn("alpha", "p@alpha.test");

    const std::string body = "{\"name\":\"Slow Client\",\"email\":\"slow@client.test\"}";
    Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(t.port())));
    const std::string head = "POST /api/v1/clients HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + a.cookie +
                             "\r\nX-CSRF-Token: " + a.csrf + "\r\nContent-Type: application/json\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n";
    const std::string first = head + body.substr(0, body.size() / 2);
    REQUIRE(slow.sendBytes(first.data(), static_cast<int>(first.size())) == static_cast<int>(first.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // checked, its handler waits for the rest

    // Meanwhile: another firm signs in (a write), another session of the firm reads. Held, they
    // would wait 10 s (SQLite's busy timeout, the pool's wait) and answer 500; the bound leaves
    // room for Argon2 on a loaded machine.
    auto start = Clock::now();
    auto b = t.client();
    CHECK(b.login("beta", "b@beta.test", TestHost::kPassword).status == 200);
    CHECK(secondsSince(start) < 6.0);
    start = Clock::now();
    CHECK(p.get("/api/v1/clients").status == 200);
    CHECK(b.get("/api/v1/me").status == 200);
    CHECK(secondsSince(start) < 6.0);

    // The rest of the body arrives: the stalled request completes normally.
    const std::string rest = body.substr(body.size() / 2);
    REQUIRE(slow.sendBytes(rest.data(), static_cast<int>(rest.size())) == static_cast<int>(rest.size()));
    slow.setReceiveTimeout(Poco::Timespan(10, 0));
    std::string answer;
    char buf[4096];
    while (answer.find("\r\n\r\n") == std::string::npos) {
      const int n = slow.receiveBytes(buf, sizeof buf);
      if (n <= 0) break;
      answer.append(buf, static_cast<std::size_t>(n));
    }
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 201"));
    CHECK_THAT(p.get("/api/v1/clients").body, Catch::Contains("Slow Client"));
  }
}

TEST_CASE("concurrent uncached checks on PostgreSQL are read together and each gets exactly its own session") {
  // Without the cache each check reads the database; on PostgreSQL concurrent checks of one firm
  // share one statement (guard/lookup_batcher.h). Every caller must still get its own session,
  // a token of another firm must find nothing even when it rides in a batch of valid tokens, and
  // a signed-out session must be refused.
  TestHost t(Db::PostgreSQL, "probe", "[session]\ncache_seconds = 0\n[database]\npool_size = 4\n");
  const auto alpha = t.firm("alpha");
  const auto beta = t.firm("beta");
  constexpr int kUsers = 12;
  std::vector<std::string> cookies;
  std::vector<std::string> emails;
  for (int i = 0; i < kUsers; ++i) {
    const std::string firm = i % 3 == 2 ? "beta" : "alpha";
    const std::string email = "u" + std::to_string(i) + "@" + firm + ".test";
    t.staff(firm, email, i % 2 ? "paralegal" : "owner");
    cookies.push_back(t.signedIn(firm, email).cookie);
    emails.push_back(email);
  }
  // A beta token presented as alpha's: the cookie names alpha, so it is looked up in alpha's batch.
  auto forged = cookies[2];
  forged.replace(forged.find('=') + 1, forged.find('.') - forged.find('=') - 1, std::to_string(alpha));
  // A session signed out before the run.
  t.staff("alpha", "gone@alpha.test", "owner");
  auto gone = t.signedIn("alpha", "gone@alpha.test");
  REQUIRE(gone.request("POST", "/api/v1/auth/logout").status == 204);

  constexpr int kThreads = 16, kRounds = 40;
  const auto before = t.host->guard().batchStats();
  std::atomic<int> wrong{0}, right{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      lexos::core::LazyConnection conn(t.host->pool());
      for (int r = 0; r < kRounds; ++r) {
        const int i = (th + r) % (kUsers + 2);
        if (i == kUsers) {
          if (t.host->guard().authenticate(forged, conn).session_id != 0) ++wrong;
          continue;
        }
        if (i == kUsers + 1) {
          if (t.host->guard().authenticate(gone.cookie, conn).session_id != 0) ++wrong;
          continue;
        }
        const auto s = t.host->guard().authenticate(cookies[i], conn);
        const bool ok = s.session_id != 0 && s.principal.email == emails[i] &&
                        s.principal.firm_id == (i % 3 == 2 ? beta : alpha) && s.modules != nullptr;
        ok ? ++right : ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(right > 0);
  const auto after = t.host->guard().batchStats();
  const auto statements = after.first - before.first, keys = after.second - before.second;
  INFO("statements " << statements << ", tokens " << keys);
  CHECK(keys == static_cast<std::uint64_t>(kThreads * kRounds));
  CHECK(statements < keys);  // some checks shared a statement
}

namespace {

// Sends `raw` on one connection and reads until `answers` complete responses (Content-Length
// framed) arrived or the server closed; returns what came.
std::string exchange(int port, const std::string& raw, int answers) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  s.setReceiveTimeout(Poco::Timespan(10, 0));
  s.sendBytes(raw.data(), static_cast<int>(raw.size()));
  std::string in;
  char buf[8192];
  auto complete = [&] {
    std::size_t at = 0;
    for (int i = 0; i < answers; ++i) {
      const auto end = in.find("\r\n\r\n", at);
      if (end == std::string::npos) return false;
      const auto cl = in.find("Content-Length: ", at);
      if (cl == std::string::npos || cl > end) return false;
      at = end + 4 + std::stoul(in.substr(cl + 16));
      if (in.size() < at) return false;
    }
    return true;
  };
  while (!complete()) {
    int n = 0;
    try {
      n = s.receiveBytes(buf, sizeof buf);
    } catch (...) {
      break;
    }
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  return in;
}

}  // namespace

TEST_CASE("on PostgreSQL without the cache, requests wait for their session parked, and each gets its own answer") {
  // The connection layer reads the sessions of complete requests itself (guard/session_prefetch.h)
  // instead of a worker waiting for each: requests of one firm share statements, every request
  // still answers for its own cookie only, and a forged or signed-out cookie is refused.
  TestHost t(Db::PostgreSQL, "probe", "[session]\ncache_seconds = 0\n[database]\npool_size = 4\n[server]\nthreads = 4\n");
  const auto alpha = t.firm("alpha");
  t.firm("beta");
  constexpr int kUsers = 9;
  std::vector<std::string> cookies, emails;
  for (int i = 0; i < kUsers; ++i) {
    const std::string firm = i % 3 == 2 ? "beta" : "alpha";
    const std::string email = "p" + std::to_string(i) + "@" + firm + ".test";
    t.staff(firm, email, i % 2 ? "paralegal" : "owner");
    cookies.push_back(t.signedIn(firm, email).cookie);
    emails.push_back(email);
  }
  auto forged = cookies[2];  // beta's token, presented as alpha's
  forged.replace(forged.find('=') + 1, forged.find('.') - forged.find('=') - 1, std::to_string(alpha));
  t.staff("alpha", "gone@alpha.test", "owner");
  auto gone = t.signedIn("alpha", "gone@alpha.test");
  REQUIRE(gone.request("POST", "/api/v1/auth/logout").status == 204);

  const auto before = t.host->serverStats();
  constexpr int kThreads = 24, kRounds = 15;  // more clients than workers: they must not wait in them
  std::atomic<int> wrong{0}, right{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int r = 0; r < kRounds; ++r) {
        const int i = (th + r) % (kUsers + 2);
        HttpClient c(t.port());
        c.cookie = i == kUsers ? forged : i == kUsers + 1 ? gone.cookie : cookies[i];
        const auto res = c.get("/api/v1/me");
        if (i >= kUsers) {
          res.status == 401 ? ++right : ++wrong;
          continue;
        }
        const bool ok = res.status == 200 && jsonField(res.body, "email") == emails[i] &&
                        jsonField(res.body, "firm") == (i % 3 == 2 ? "beta" : "alpha");
        ok ? ++right : ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(right == kThreads * kRounds);
  const auto after = t.host->serverStats();
  const auto parked = after.parked - before.parked, reads = after.session_reads - before.session_reads;
  INFO("parked " << parked << ", statements " << reads);
  CHECK(parked == static_cast<std::uint64_t>(kThreads * kRounds));  // every check went this way
  CHECK(reads > 0);
  CHECK(reads <= parked);

  SECTION("pipelined requests behind a parked one are answered in order, each for its own session") {
    const std::string a = cookies[0], b = cookies[1];
    const std::string raw = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: " + a +
                            "\r\n\r\nGET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: " + b +
                            "\r\n\r\nGET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const std::string in = exchange(t.port(), raw, 3);
    const auto first = in.find(emails[0]), second = in.find(emails[1]);
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    CHECK(first < second);
    CHECK(in.rfind("HTTP/1.1 401", std::string::npos) > second);  // the third, without a cookie
  }

  SECTION("an unsafe request checks its CSRF token against the session read while it was parked") {
    HttpClient c = t.signedIn("alpha", emails[0]);
    const std::string csrf = c.csrf;
    c.csrf = "not-the-token";
    CHECK(c.request("POST", "/api/v1/auth/logout").status == 403);
    c.csrf = csrf;
    CHECK(c.request("POST", "/api/v1/auth/logout").status == 204);
    CHECK(c.get("/api/v1/me").status == 401);
  }
}
