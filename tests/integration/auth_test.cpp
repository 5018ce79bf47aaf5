// Identity: sign-in, sessions, CSRF, throttling, disabling, audit chain, first-start setup.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "data/connection.h"
#include "guard/guard.h"
#include "identity/accounts.h"
#include "identity/audit_log.h"
#include "identity/throttle.h"
#include "test_host.h"

using namespace lexos::test;

namespace {
std::string loginBody(const std::string& firm, const std::string& email, const std::string& pw) {
  return "{\"firm\":\"" + firm + "\",\"email\":\"" + email + "\",\"password\":\"" + pw + "\"}";
}
}  // namespace

TEST_CASE("sign-in sets a __Host- session cookie and /me returns the principal with a CSRF token") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "Owner@Alpha.test", "attorney");
  auto c = t.client();
  auto r = c.login("alpha", "owner@alpha.test", TestHost::kPassword);
  REQUIRE(r.status == 200);
  const auto cookie = r.header("set-cookie");
  CHECK_THAT(cookie, Catch::StartsWith("__Host-lexos_session="));
  CHECK_THAT(cookie, Catch::Contains("HttpOnly") && Catch::Contains("Secure") && Catch::Contains("SameSite=Strict") &&
                         Catch::Contains("Path=/"));
  CHECK(c.csrf.size() >= 32);
  auto me = c.get("/api/v1/me");
  REQUIRE(me.status == 200);
  CHECK(jsonField(me.body, "email") == "owner@alpha.test");
  CHECK(jsonField(me.body, "firm") == "alpha");
  CHECK(jsonField(me.body, "csrf_token") == c.csrf);
  CHECK_THAT(me.body, Catch::Contains("\"roles\":[\"attorney\"]"));
  CHECK_THAT(me.body, Catch::Contains("probe.write"));
}

TEST_CASE("unknown user, wrong password and unknown firm get the same answer") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  auto wrong = c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", "not the password!!"));
  auto unknown = c.request("POST", "/api/v1/auth/login", loginBody("alpha", "nobody@alpha.test", "not the password!!"));
  auto noFirm = c.request("POST", "/api/v1/auth/login", loginBody("gamma", "a@alpha.test", "not the password!!"));
  CHECK(wrong.status == 401);
  CHECK(wrong.status == unknown.status);
  CHECK(wrong.body == unknown.body);
  CHECK(wrong.body == noFirm.body);
  CHECK(wrong.header("set-cookie").empty());
}

TEST_CASE("sign-in input errors name the field") {
  TestHost t(Db::SQLite);
  auto c = t.client();
  auto r = c.request("POST", "/api/v1/auth/login", "{\"firm\":\"a\",\"password\":\"x\"}");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"email\""));
  r = c.request("POST", "/api/v1/auth/login", "not json");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"body\""));
  r = c.request("POST", "/api/v1/auth/login", "{\"firm\":1,\"email\":\"a@b.c\",\"password\":\"x\"}");
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"firm\""));
}

TEST_CASE("unsafe requests with a session need the X-CSRF-Token header") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  REQUIRE(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const std::string csrf = c.csrf;
  c.csrf.clear();
  auto r = c.request("POST", "/api/v1/probe/items?client_id=1", "", "text/plain");
  CHECK(r.status == 403);
  CHECK_THAT(r.body, Catch::Contains("\"code\":\"csrf\""));
  r = c.request("POST", "/api/v1/probe/items?client_id=1", "", "text/plain", {{"X-CSRF-Token", "wrong"}});
  CHECK(r.status == 403);
  c.csrf = csrf;
  CHECK(c.request("POST", "/api/v1/probe/items?client_id=1", "", "text/plain").status == 201);
  CHECK(c.get("/api/v1/probe/items").status == 200);  // safe methods need no token
}

TEST_CASE("logout ends the session at once and a new sign-in rotates it") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  REQUIRE(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const auto first = c.cookie;
  REQUIRE(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  CHECK(c.cookie != first);
  auto stale = t.client();
  stale.cookie = first;
  CHECK(stale.get("/api/v1/me").status == 401);  // rotated away
  CHECK(c.request("POST", "/api/v1/auth/logout").status == 204);
  CHECK(c.get("/api/v1/me").status == 401);
}

TEST_CASE("disabling a user ends their sessions at once and refuses sign-in") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "paralegal");
  auto c = t.client();
  REQUIRE(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  lexos::core::Accounts(*t.host).setUserStatus("alpha", "a@alpha.test", false);
  CHECK(c.get("/api/v1/me").status == 401);
  CHECK(t.client().login("alpha", "a@alpha.test", TestHost::kPassword).status == 401);
  lexos::core::Accounts(*t.host).setUserStatus("alpha", "a@alpha.test", true);
  CHECK(t.client().login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
}

TEST_CASE("failed sign-ins for an account from one address answer 429 with the real Retry-After") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  const auto since = std::time(nullptr);
  for (int i = 0; i < lexos::core::throttle::kPairLimit; ++i)
    REQUIRE(c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", "wrong password " + std::to_string(i))).status == 401);
  // Retry-After is the real time left until the oldest failure ages out (15 minutes after it;
  // `slack` is how long the failures themselves took on this machine).
  auto retryAfter = [&](long full) {
    auto r = c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", TestHost::kPassword));
    CHECK(r.status == 429);
    CHECK_THAT(r.body, Catch::Contains("\"code\":\"throttled\""));
    const long v = std::stol(r.header("retry-after")), slack = static_cast<long>(std::time(nullptr) - since);
    INFO("Retry-After " << v << ", " << slack << " s since the first failure");
    CHECK(v <= full);
    CHECK(v >= full - slack - 1);
  };
  retryAfter(900);
  // Ten minutes later the answer says five ...
  auto conn = t.host->pool().acquire();
  conn->execute("UPDATE auth_attempts SET at = at - 600", {});
  retryAfter(300);
  // ... and with the failures aged out the owner signs in (nothing is locked for good).
  conn->execute("UPDATE auth_attempts SET at = at - 300", {});
  CHECK(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
}

TEST_CASE("an expired or idle session is refused") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  REQUIRE(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  auto conn = t.host->pool().acquire();
  auto firm = lexos::core::Accounts(*t.host).firmId("alpha");
  conn->begin(true);
  conn->setScope({firm, 0});
  conn->execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z'", {});
  conn->commit();
  CHECK(c.get("/api/v1/me").status == 401);
}

TEST_CASE("the audit log chains every row and lexosctl's verify finds an edited or deleted row") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  REQUIRE(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", "wrong password!!"));
  REQUIRE(c.request("POST", "/api/v1/probe/items?client_id=1", "", "text/plain").status == 201);
  auto audit = c.get("/api/v1/audit");
  REQUIRE(audit.status == 200);
  CHECK_THAT(audit.body, Catch::Contains("login.success") && Catch::Contains("login.failure") &&
                             Catch::Contains("probe.create") && Catch::Contains("user.create"));
  CHECK_THAT(audit.body, !Catch::Contains(TestHost::kPassword));
  lexos::core::Accounts acc(*t.host);
  auto v = acc.verifyAudit("alpha");
  CHECK(v.ok);
  CHECK(v.rows >= 4);
  CHECK(v.head_seq == v.rows);
  {  // lexosctl prints the head to record
    const std::string cmd = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path +
                            "/lexos.ini audit verify --firm alpha --head " + std::to_string(v.head_seq) + ":" + v.head_hash;
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[512];
      while (fgets(buf, sizeof buf, p)) out += buf;
      CHECK(pclose(p) == 0);
    }
    CHECK_THAT(out, Catch::Contains("chain intact, recorded head present") &&
                        Catch::Contains("head: " + std::to_string(v.head_seq) + ":" + v.head_hash));
  }
  // Cutting the newest row leaves an intact, shorter chain: only a head recorded earlier (as
  // lexosctl audit verify prints it) tells.
  const lexos::core::AuditLog::Head head = lexos::core::AuditLog::Head::parse(std::to_string(v.head_seq) + ":" + v.head_hash);
  {
    auto raw = t.host->ownerConnection();
    raw->execute("DELETE FROM lexos_t_audit_log WHERE seq = $1", {head.seq});
  }
  v = acc.verifyAudit("alpha");
  CHECK(v.ok);
  v = acc.verifyAudit("alpha", &head);
  CHECK(!v.ok);
  CHECK_THAT(v.problem, Catch::Contains("row " + std::to_string(head.seq) + " is missing") && Catch::Contains("cut from the end"));
  // A rewritten head row is found too; a malformed head is refused naming the option.
  auto wrong = head;
  wrong.seq = head.seq - 1;
  v = acc.verifyAudit("alpha", &wrong);
  CHECK(!v.ok);
  CHECK_THAT(v.problem, Catch::Contains("recorded head's hash"));
  CHECK_THROWS_WITH(lexos::core::AuditLog::Head::parse("12:xyz"), Catch::Contains("--head"));
  // An operator with file access edits a row behind the application's back.
  auto raw = t.host->ownerConnection();
  raw->execute("UPDATE lexos_t_audit_log SET actor = 'someone else' WHERE seq = 2", {});
  v = acc.verifyAudit("alpha");
  CHECK(!v.ok);
  CHECK_THAT(v.problem, Catch::Contains("row 2") && Catch::Contains("edited"));
  raw->execute("DELETE FROM lexos_t_audit_log WHERE seq = 2", {});
  v = acc.verifyAudit("alpha");
  CHECK(!v.ok);
  CHECK_THAT(v.problem, Catch::Contains("row 2 is missing"));
}

TEST_CASE("first start offers a one-time setup link that creates the first firm and its owner") {
  TestHost t(Db::SQLite);
  auto conn = t.host->ownerConnection();
  conn->execute("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, '2999-01-01T00:00:00Z')",
                {lexos::core::Guard::hashToken("tok-123")});
  auto c = t.client();
  auto bad = c.post("/api/v1/setup", "{\"token\":\"tok-123\",\"firm\":\"anderson-law\",\"firm_name\":\"Anderson Law\","
                                     "\"email\":\"bad\",\"password\":\"correct horse battery staple\"}");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Catch::Contains("\"field\":\"email\""));
  auto weak = c.post("/api/v1/setup", "{\"token\":\"tok-123\",\"firm\":\"anderson-law\",\"firm_name\":\"Anderson Law\","
                                      "\"email\":\"o@anderson.test\",\"password\":\"short\"}");
  CHECK(weak.status == 400);
  CHECK_THAT(weak.body, Catch::Contains("\"field\":\"password\""));
  auto ok = c.post("/api/v1/setup", "{\"token\":\"tok-123\",\"firm\":\"anderson-law\",\"firm_name\":\"Anderson Law\","
                                    "\"email\":\"o@anderson.test\",\"password\":\"correct horse battery staple\"}");
  CHECK(ok.status == 201);
  CHECK(c.login("anderson-law", "o@anderson.test", "correct horse battery staple").status == 200);
  auto again = t.client().post("/api/v1/setup", "{\"token\":\"tok-123\",\"firm\":\"x2\",\"firm_name\":\"X\","
                                                "\"email\":\"o@x.test\",\"password\":\"correct horse battery staple\"}");
  CHECK(again.status == 410);
}

TEST_CASE("a firm's module switched off answers 404 for that firm only") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "a@alpha.test", "owner");
  t.staff("beta", "b@beta.test", "owner");
  auto a = t.client();
  auto b = t.client();
  REQUIRE(a.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  REQUIRE(b.login("beta", "b@beta.test", TestHost::kPassword).status == 200);
  lexos::core::Accounts(*t.host).setModule("alpha", "probe", false);
  CHECK(a.get("/api/v1/probe/items").status == 404);
  CHECK(b.get("/api/v1/probe/items").status == 200);
  CHECK_THAT(a.get("/api/v1/nav").body, !Catch::Contains("Probe"));
  CHECK_THAT(b.get("/api/v1/nav").body, Catch::Contains("Probe"));
  lexos::core::Accounts(*t.host).setModule("alpha", "probe", true);
  CHECK(a.get("/api/v1/probe/items").status == 200);
}

TEST_CASE("behind a trusted proxy, throttling and audit use the client's address from X-Forwarded-For") {
  TestHost t(Db::SQLite, "probe", "[server]\ntrusted_proxies = 127.0.0.1\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  auto from = [](const std::string& ip) { return std::map<std::string, std::string>{{"X-Forwarded-For", "198.51.100.7, " + ip}}; };
  // Failures for one account from one address: that address is throttled for the account ...
  for (int i = 0; i < lexos::core::throttle::kPairLimit; ++i)
    REQUIRE(c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", "wrong password " + std::to_string(i)),
                      "application/json", from("203.0.113.9")).status == 401);
  CHECK(c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", TestHost::kPassword), "application/json",
                  from("203.0.113.9")).status == 429);
  // ... another client behind the same proxy is not.
  auto ok = c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", TestHost::kPassword), "application/json",
                      from("203.0.113.10"));
  REQUIRE(ok.status == 200);
  c.cookie = ok.header("set-cookie").substr(0, ok.header("set-cookie").find(';'));
  auto audit = c.get("/api/v1/audit?limit=500");
  CHECK_THAT(audit.body, Catch::Contains("\"address\":\"203.0.113.9\"") && Catch::Contains("\"address\":\"203.0.113.10\""));
  CHECK_THAT(audit.body, !Catch::Contains("198.51.100.7"));  // only the hop our proxy saw counts
}

TEST_CASE("without trusted proxies, X-Forwarded-For is ignored") {
  TestHost t(Db::SQLite);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  auto r = c.request("POST", "/api/v1/auth/login", loginBody("alpha", "a@alpha.test", TestHost::kPassword), "application/json",
                     {{"X-Forwarded-For", "203.0.113.9"}});
  REQUIRE(r.status == 200);
  c.cookie = r.header("set-cookie").substr(0, r.header("set-cookie").find(';'));
  auto audit = c.get("/api/v1/audit");
  CHECK_THAT(audit.body, Catch::Contains("\"address\":\"127.0.0.1\"") && !Catch::Contains("203.0.113.9"));
}

TEST_CASE("on PostgreSQL events of many requests at once, and non-ASCII text, are chained without a fork or a gap and verify") {
  TestHost t(Db::PostgreSQL);
  const auto firm = t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  const auto owner = t.signedIn("alpha", "a@alpha.test");
  // Four clients writing at once: the sequencer chains their events in one order, no fork, no gap.
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      HttpClient c(t.port());
      c.cookie = owner.cookie;
      c.csrf = owner.csrf;
      for (int k = 0; k < 10; ++k)
        if (c.request("POST", "/api/v1/probe/items?client_id=1", "", "text/plain").status == 201) ++created;
    });
  for (auto& th : threads) th.join();
  CHECK(created == 40);
  {  // Text of any script, length in bytes (not characters) in the hash's fields.
    auto conn = t.host->ownerConnection();
    conn->begin(true);
    conn->setScope({firm, 0});
    lexos::sdk::Principal p;
    p.kind = lexos::sdk::PrincipalKind::Staff;
    p.user_id = 1;
    p.firm_id = firm;
    p.email = "zoë@alpha.test";
    lexos::core::AuditLog::append(*conn, p, "2001:db8::1", "rid-ü", {{"test.utf8", "thing", "ü-1", "détail — ünïcode ✓ 日本"}});
    conn->commit();
  }
  lexos::core::Accounts acc(*t.host);
  const auto v = acc.verifyAudit("alpha");
  INFO(v.problem);
  CHECK(v.ok);
  CHECK(v.rows >= 41);
  CHECK(v.head_seq == v.rows);
}
