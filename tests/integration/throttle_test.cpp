// Sign-in throttling an attacker cannot turn against the owner (docs/throttling.md), on both
// backends: device cookies, the pair / account / address limits, reservations that parallel
// guesses cannot overtake, the portal's current-password check and activation tokens.
#include "identity/throttle.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "data/connection.h"
#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;
namespace throttle = lexos::core::throttle;

namespace {

const char* kProxy = "[server]\ntrusted_proxies = 127.0.0.1\n";

std::string loginBody(const std::string& firm, const std::string& email, const std::string& pw) {
  return "{\"firm\":\"" + firm + "\",\"email\":\"" + email + "\",\"password\":\"" + pw + "\"}";
}

std::map<std::string, std::string> from(const std::string& ip) { return {{"X-Forwarded-For", ip}}; }

// POST /api/v1/auth/login as seen from `ip` (through the trusted proxy); on success the client
// keeps the session and device cookies like a browser.
HttpResult signIn(HttpClient& c, const std::string& email, const std::string& pw,
                  const std::string& ip) {
  auto r = c.request("POST", "/api/v1/auth/login", loginBody("alpha", email, pw),
                     "application/json", from(ip));
  if (r.status == 200) {
    c.cookie = r.header("set-cookie").substr(0, r.header("set-cookie").find(';'));
    c.csrf = jsonField(r.body, "csrf_token");
    for (const auto& s : r.set_cookies)
      if (s.rfind("__Host-lexos_device=", 0) == 0) c.device = s.substr(0, s.find(';'));
  }
  return r;
}

long retryAfter(const HttpResult& r) {
  const std::string v = r.header("retry-after");
  return v.empty() ? -1 : std::stol(v);
}

std::int64_t attempts(TestHost& t, const std::string& key) {
  auto c = t.host->pool().acquire();
  return lexos::sdk::asInt(
      c->query("SELECT count(*) FROM auth_attempts WHERE key = $1", {key}).rows.at(0).at(0));
}

// Retry-After must be the real time left: `full` seconds after the oldest counting attempt,
// which was made no earlier than `since` (the machine may be slow: Argon2 under load).
void checkRetryAfter(const HttpResult& r, long full, std::time_t since) {
  const long v = retryAfter(r);
  const long elapsed = static_cast<long>(std::time(nullptr) - since);
  INFO("Retry-After " << v << ", " << elapsed << " s after the first attempt");
  CHECK(v <= full);
  CHECK(v >= full - elapsed - 1);
}

// Moves every counted attempt `seconds` into the past, as if that time had gone by.
void age(TestHost& t, long seconds) {
  auto c = t.host->pool().acquire();
  c->execute("UPDATE auth_attempts SET at = at - $1", {static_cast<std::int64_t>(seconds)});
}

std::string create(HttpClient& c, const std::string& path, const std::string& body) {
  auto r = c.post(path, body);
  INFO(path << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 201);
  return jsonField(r.body, "id");
}

std::string latestActivationToken(const std::string& stateDir) {
  fs::path newest;
  for (const auto& e : fs::directory_iterator(fs::path(stateDir) / "outbox"))
    if (e.path().extension() == ".eml" &&
        (newest.empty() || e.path().filename() > newest.filename()))
      newest = e.path();
  REQUIRE(!newest.empty());
  std::ifstream in(newest);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string flat = std::regex_replace(ss.str(), std::regex("=\r?\n"), "");
  std::smatch m;
  REQUIRE(std::regex_search(flat, m, std::regex("#/activate/([0-9]+\\.[A-Za-z0-9_=3D-]+)")));
  return std::regex_replace(m[1].str(), std::regex("=3D"), "=");
}

}  // namespace

TEST_CASE("sign-in issues a signed __Host- device cookie naming the account") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  const auto firm = t.firm("alpha");
  const auto user = t.staff("alpha", "a@alpha.test", "owner");
  auto c = t.client();
  auto r = c.login("alpha", "a@alpha.test", TestHost::kPassword);
  REQUIRE(r.status == 200);
  CHECK_THAT(r.header("set-cookie"),
             Catch::StartsWith("__Host-lexos_session="));  // still the first
  REQUIRE(r.set_cookies.size() == 2);
  const std::string dev = r.set_cookies[1];
  CHECK_THAT(dev, Catch::StartsWith("__Host-lexos_device=" + std::to_string(firm) + "." +
                                    std::to_string(user) + "."));
  CHECK_THAT(dev, Catch::Contains("; Path=/;") && Catch::Contains("HttpOnly") &&
                      Catch::Contains("Secure") && Catch::Contains("SameSite=Strict") &&
                      Catch::Contains("Max-Age=") && !Catch::Contains("Domain"));
  // Signing in again from the same device keeps the device's id and renews the cookie.
  const std::string before = c.device;
  REQUIRE(c.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  CHECK(c.device == before);
  // A failed sign-in sets no cookie at all.
  auto bad = t.client().login("alpha", "a@alpha.test", "not the password!!");
  CHECK(bad.status == 401);
  CHECK(bad.set_cookies.empty());
}

TEST_CASE("a stranger's failures do not lock the owner out of a device that signed in before") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db, "probe", kProxy);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  auto owner = t.client();
  REQUIRE(signIn(owner, "owner@alpha.test", TestHost::kPassword, "203.0.113.10").status == 200);
  REQUIRE(!owner.device.empty());
  // A stranger spends the account's whole allowance from several addresses ...
  int refused = 0;
  const auto since = std::time(nullptr);
  for (int i = 0; i < throttle::kAccountLimit + 2; ++i) {
    auto r = t.client().request(
        "POST", "/api/v1/auth/login",
        loginBody("alpha", "owner@alpha.test", "guess " + std::to_string(i)), "application/json",
        from("198.51.100." + std::to_string(i / throttle::kPairLimit + 1)));
    refused += r.status == 429;
    REQUIRE((r.status == 401 || r.status == 429));
  }
  CHECK(refused == 2);
  CHECK(attempts(t, "login:account:alpha:owner@alpha.test") == throttle::kAccountLimit);
  // ... so a device without the cookie, even at the owner's address, is locked out ...
  auto fresh = t.client();
  auto locked = signIn(fresh, "owner@alpha.test", TestHost::kPassword, "203.0.113.10");
  CHECK(locked.status == 429);
  checkRetryAfter(locked, throttle::kWindowSeconds, since);
  CHECK_THAT(locked.body, Catch::Contains("\"code\":\"throttled\""));
  // ... but the owner's own device signs in, from any address.
  owner.cookie.clear();
  CHECK(signIn(owner, "owner@alpha.test", TestHost::kPassword, "192.0.2.77").status == 200);
  // A device cookie of another account, or a forged one, earns nothing.
  t.staff("alpha", "other@alpha.test", "paralegal");
  auto other = t.client();
  REQUIRE(signIn(other, "other@alpha.test", TestHost::kPassword, "203.0.113.10").status == 200);
  other.cookie.clear();
  CHECK(signIn(other, "owner@alpha.test", TestHost::kPassword, "203.0.113.10").status == 429);
  auto forged = t.client();
  forged.device = owner.device;
  forged.device[forged.device.size() - 1] = forged.device.back() == '0' ? '1' : '0';
  CHECK(signIn(forged, "owner@alpha.test", TestHost::kPassword, "203.0.113.10").status == 429);
}

TEST_CASE("a device's own failures throttle that device only") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db, "probe", kProxy);
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  auto owner = t.client();
  REQUIRE(signIn(owner, "owner@alpha.test", TestHost::kPassword, "203.0.113.10").status == 200);
  owner.cookie.clear();
  const auto since = std::time(nullptr);
  for (int i = 0; i < throttle::kDeviceLimit; ++i)
    REQUIRE(signIn(owner, "owner@alpha.test", "typo " + std::to_string(i), "203.0.113.10").status ==
            401);
  auto r = signIn(owner, "owner@alpha.test", TestHost::kPassword, "203.0.113.10");
  CHECK(r.status == 429);
  checkRetryAfter(r, throttle::kWindowSeconds, since);
  // The device's failures are its own: the account and the address are untouched.
  CHECK(attempts(t, "login:account:alpha:owner@alpha.test") == 0);
  CHECK(attempts(t, "login:pair:alpha:owner@alpha.test:203.0.113.10") == 0);
  CHECK(attempts(t, "login:address:203.0.113.10") == 0);
  auto laptop = t.client();
  CHECK(signIn(laptop, "owner@alpha.test", TestHost::kPassword, "203.0.113.10").status == 200);
}

TEST_CASE("failures from one address against other accounts do not lock out a different account") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db, "probe", kProxy);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  // Behind one NAT, four people each fail a pair's allowance (twice the old address limit) ...
  for (int u = 0; u < 4; ++u)
    for (int i = 0; i < throttle::kPairLimit; ++i)
      REQUIRE(t.client()
                  .request("POST", "/api/v1/auth/login",
                           loginBody("alpha", "u" + std::to_string(u) + "@alpha.test",
                                     "wrong password!!"),
                           "application/json", from("203.0.113.9"))
                  .status == 401);
  // ... each of those accounts is throttled at that address ...
  CHECK(t.client()
            .request("POST", "/api/v1/auth/login",
                     loginBody("alpha", "u0@alpha.test", "wrong password!!"), "application/json",
                     from("203.0.113.9"))
            .status == 429);
  // ... and another person behind the same NAT signs in.
  auto a = t.client();
  CHECK(signIn(a, "a@alpha.test", TestHost::kPassword, "203.0.113.9").status == 200);
  // The address limit itself still holds: at kAddressLimit failures the address is refused for
  // every account without a device cookie, while other addresses are not.
  const auto seeded = std::time(nullptr);
  {
    auto c = t.host->pool().acquire();
    c->begin(true);
    for (int i = 0; i < throttle::kAddressLimit; ++i)
      c->execute(
          "INSERT INTO auth_attempts (key, reservation, at) VALUES ('login:address:203.0.113.50', "
          "$1, $2)",
          {"seeded" + std::to_string(i), static_cast<std::int64_t>(seeded) - 60});
    c->commit();
  }
  auto b = t.client();
  auto r = signIn(b, "a@alpha.test", TestHost::kPassword, "203.0.113.50");
  CHECK(r.status == 429);
  checkRetryAfter(r, throttle::kWindowSeconds - 60, seeded);
  CHECK(signIn(b, "a@alpha.test", TestHost::kPassword, "203.0.113.51").status == 200);
  // A device that signed in before is not held by its address.
  b.cookie.clear();
  CHECK(signIn(b, "a@alpha.test", TestHost::kPassword, "203.0.113.50").status == 200);
}

TEST_CASE(
    "parallel wrong guesses are each reserved before the check: at most the limit is checked") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  std::atomic<int> failed{0}, throttled{0}, other{0};
  std::vector<std::thread> burst;
  const auto since = std::time(nullptr);
  for (int i = 0; i < 15; ++i)
    burst.emplace_back([&, i] {
      auto r = t.client().request(
          "POST", "/api/v1/auth/login",
          loginBody("alpha", "a@alpha.test", "guess number " + std::to_string(i)));
      (r.status == 401 ? failed : r.status == 429 ? throttled : other)++;
    });
  for (auto& th : burst) th.join();
  CHECK(failed == throttle::kPairLimit);
  CHECK(throttled == 15 - throttle::kPairLimit);
  CHECK(other == 0);
  auto right = t.client().login("alpha", "a@alpha.test", TestHost::kPassword);
  CHECK(right.status == 429);
  checkRetryAfter(right, throttle::kWindowSeconds, since);
  CHECK(attempts(t, "login:pair:alpha:a@alpha.test:127.0.0.1") == throttle::kPairLimit);
}

TEST_CASE("a successful sign-in gives its reservation back") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  for (int i = 0; i < throttle::kPairLimit + 2; ++i)
    REQUIRE(t.client().login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  CHECK(attempts(t, "login:pair:alpha:a@alpha.test:127.0.0.1") == 0);
  CHECK(attempts(t, "login:address:127.0.0.1") == 0);
}

TEST_CASE("the portal's current-password check is throttled, and parallel guesses cannot race it") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  const auto firm = t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto staff = t.client();
  REQUIRE(staff.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const auto client =
      create(staff, "/api/v1/clients", "{\"name\":\"Portal Client\",\"email\":\"pc@client.test\"}");
  const auto user = t.portalUser("alpha", std::stoll(client), "pc@client.test");
  auto thief = t.client();  // holds a stolen portal session
  REQUIRE(thief.login("alpha", "pc@client.test", TestHost::kPassword).status == 200);
  auto change = [&](const std::string& current, const std::string& next) {
    return thief.post(
        "/api/v1/portal/account/password",
        "{\"current_password\":\"" + current + "\",\"new_password\":\"" + next + "\"}");
  };
  // A weak new password is refused before the current one is checked: no guess is spent.
  auto weak = change("guess", "short");
  CHECK(weak.status == 400);
  CHECK_THAT(weak.body, Catch::Contains("\"field\":\"new_password\""));
  std::atomic<int> wrong{0}, throttled{0}, other{0};
  std::vector<std::thread> burst;
  const auto since = std::time(nullptr);
  for (int i = 0; i < throttle::kCurrentPasswordLimit + 3; ++i)
    burst.emplace_back([&, i] {
      HttpClient c = thief;
      auto r = c.post("/api/v1/portal/account/password",
                      "{\"current_password\":\"guess " + std::to_string(i) +
                          "\",\"new_password\":\"a brand new passphrase\"}");
      if (r.status == 400 && r.body.find("\"field\":\"current_password\"") != std::string::npos)
        ++wrong;
      else if (r.status == 429)
        ++throttled;
      else
        ++other;
    });
  for (auto& th : burst) th.join();
  CHECK(wrong == throttle::kCurrentPasswordLimit);
  CHECK(throttled == 3);
  CHECK(other == 0);
  auto r = change(TestHost::kPassword, "a brand new passphrase");
  CHECK(r.status == 429);
  checkRetryAfter(r, throttle::kWindowSeconds, since);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"current_password\""));
  CHECK(attempts(t, "current-password:" + std::to_string(firm) + ":" + std::to_string(user)) ==
        throttle::kCurrentPasswordLimit);
  // Time passes: the right current password changes it, and gives its reservation back.
  age(t, throttle::kWindowSeconds);
  CHECK(change(TestHost::kPassword, "a brand new passphrase").status == 204);
  CHECK(t.client().login("alpha", "pc@client.test", "a brand new passphrase").status == 200);
}

TEST_CASE("activation tokens are throttled per address, and a valid token's try is given back") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal",
             std::string(kProxy) + "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  auto staff = t.client();
  REQUIRE(staff.login("alpha", "a@alpha.test", TestHost::kPassword).status == 200);
  const auto client =
      create(staff, "/api/v1/clients", "{\"name\":\"Portal Client\",\"email\":\"pc@client.test\"}");
  REQUIRE(staff.post("/api/v1/clients/" + client + "/portal/invite", "{}").status == 201);
  const auto token = latestActivationToken(t.dir.path + "/state");
  auto activate = [&](const std::string& tok, const std::string& pw, const std::string& ip) {
    return t.client().request("POST", "/api/v1/portal/activate",
                              "{\"token\":\"" + tok + "\",\"password\":\"" + pw + "\"}",
                              "application/json", from(ip));
  };
  const std::string firm = token.substr(0, token.find('.'));
  const auto since = std::time(nullptr);
  for (int i = 0; i < throttle::kActivationLimit - 1; ++i)
    REQUIRE(activate(firm + ".guessedtoken" + std::to_string(i) + "xxxxxxxxxxxxxxxxxxxx",
                     "a long enough passphrase", "203.0.113.9")
                .status == 410);
  // The right token with a weak password is no guess: it does not count.
  auto weak = activate(token, "short", "203.0.113.9");
  CHECK(weak.status == 400);
  CHECK_THAT(weak.body, Catch::Contains("\"field\":\"password\""));
  REQUIRE(activate("not-even-a-token", "a long enough passphrase", "203.0.113.9").status == 410);
  // The address has spent its allowance: even the right token waits.
  auto r = activate(token, "a long enough passphrase", "203.0.113.9");
  CHECK(r.status == 429);
  checkRetryAfter(r, throttle::kWindowSeconds, since);
  CHECK_THAT(r.body, Catch::Contains("\"field\":\"token\""));
  CHECK(attempts(t, "activate:address:203.0.113.9") == throttle::kActivationLimit);
  // Another address is not held.
  CHECK(activate(token, "a long enough passphrase", "203.0.113.10").status == 200);
  CHECK(attempts(t, "activate:address:203.0.113.10") == 0);
}

TEST_CASE("the addresses of one IPv6 /64 count as one address") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db, "probe", kProxy);
  t.firm("alpha");
  t.staff("alpha", "a@alpha.test", "owner");
  for (int i = 1; i <= throttle::kPairLimit; ++i)
    REQUIRE(t.client()
                .request("POST", "/api/v1/auth/login",
                         loginBody("alpha", "a@alpha.test", "wrong password!!"), "application/json",
                         from("2001:db8:5:6::" + std::to_string(i)))
                .status == 401);
  auto c = t.client();
  CHECK(signIn(c, "a@alpha.test", TestHost::kPassword, "2001:db8:5:6:ffff::1").status == 429);
  CHECK(signIn(c, "a@alpha.test", TestHost::kPassword, "2001:db8:5:7::1").status == 200);
  CHECK(attempts(t, "login:pair:alpha:a@alpha.test:2001:db8:5:6::/64") == throttle::kPairLimit);
}

TEST_CASE("reservations racing on many connections never exceed the limit") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db);
  constexpr int kThreads = 8, kRounds = 25, kLimit = 3;
  int granted = 0;
  std::mutex mu;
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int n = 0; n < kThreads; ++n)
    threads.emplace_back([&, n] {
      auto c = t.host->pool().acquire();
      ready++;
      while (ready < kThreads) std::this_thread::yield();
      for (int round = 0; round < kRounds; ++round) {
        // Two rules per attempt, in both orders across threads: also no deadlock.
        std::vector<lexos::core::ThrottleRule> rules = {
            {"race:" + std::to_string(round), kLimit},
            {"race:shared:" + std::to_string(round), 100}};
        if (n % 2) std::swap(rules[0], rules[1]);
        const bool ok = lexos::core::Throttle::reserve(*c, rules).granted();
        std::lock_guard<std::mutex> lock(mu);
        granted += ok;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(granted == kRounds * kLimit);
  for (int round = 0; round < kRounds; ++round)
    CHECK(attempts(t, "race:" + std::to_string(round)) == kLimit);
}
