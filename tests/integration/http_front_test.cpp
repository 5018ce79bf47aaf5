// The connection layer under hostile clients: RFC 9112 framing, deadlines, caps, and that slow
// or idle clients never keep another client from being answered. Raw sockets, real lexosd.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_host.h"

using namespace lexos::test;
using Clock = std::chrono::steady_clock;

namespace {

/// A TCP connection to lexosd from a chosen loopback address (127.0.0.2 plays "the attacker").
class Raw {
 public:
  explicit Raw(int port, const char* from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &src.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0;
  }
  ~Raw() {
    if (fd_ >= 0) ::close(fd_);
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  bool connected() const { return connected_; }
  bool send(const std::string& s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }
  /// Reads until the peer closes or `timeoutMs` passes without data. `closed` tells which.
  std::string readAll(int timeoutMs, bool* closed = nullptr) {
    std::string out;
    char buf[8192];
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeoutMs) <= 0) {
        if (closed) *closed = false;
        return out;
      }
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// Reads one response whose body has a Content-Length (or none), within `timeoutMs`.
  std::string readResponse(int timeoutMs) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    char buf[8192];
    while (Clock::now() < deadline) {
      const auto end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t len = 0;
        const auto cl = pending_.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) len = std::stoul(pending_.substr(cl + 16));
        if (pending_.size() >= end + 4 + len) {
          std::string r = pending_.substr(0, end + 4 + len);
          pending_.erase(0, end + 4 + len);
          return r;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (::poll(&p, 1, std::max(left, 1)) <= 0) break;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
    return {};
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

int countOf(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) ++n;
  return n;
}

/// Sends `request` on a fresh connection; returns everything until the server closes (3 s max).
std::string exchange(int port, const std::string& request, bool* closed) {
  Raw r(port);
  REQUIRE(r.connected());
  r.send(request);
  return r.readAll(3000, closed);
}

}  // namespace

TEST_CASE("framing errors answer once and close the connection, so nothing smuggled runs") {
  TestHost t(Db::SQLite);
  const int port = t.port();
  struct Case {
    const char* name;
    std::string wire;
    const char* status;
  };
  const std::string smuggled = "GET /api/v1/probe/ping HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::vector<Case> cases = {
      {"differing Content-Length", "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhello" + smuggled, "HTTP/1.1 400 "},
      {"repeated Content-Length", "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello" + smuggled, "HTTP/1.1 400 "},
      {"Content-Length with chunked", "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, "HTTP/1.1 400 "},
      {"POST without framing", "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\n\r\n" + smuggled, "HTTP/1.1 411 "},
      {"obs-fold", "GET /api/v1/probe/ping HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n" + smuggled, "HTTP/1.1 400 "},
      {"bare LF", "GET /api/v1/probe/ping HTTP/1.1\nHost: x\n\n" + smuggled, "HTTP/1.1 400 "},
      {"control character", "GET /api/v1/probe/ping HTTP/1.1\r\nHost: x\r\nX-A: a\x01\r\n\r\n" + smuggled, "HTTP/1.1 400 "},
      {"HTTP/9.9", "GET /api/v1/probe/ping HTTP/9.9\r\nHost: x\r\n\r\n" + smuggled, "HTTP/1.1 505 "},
      {"malformed chunk", "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + smuggled, "HTTP/1.1 400 "},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    bool closed = false;
    const std::string got = exchange(port, c.wire, &closed);
    CHECK(got.rfind(c.status, 0) == 0);
    CHECK(countOf(got, "Content-Length: ") == 1);  // one answer: the smuggled request got none
    CHECK_THAT(got, Catch::Contains("Connection: close"));
    CHECK(closed);
  }
  CHECK(t.host->serverStats().framing_errors >= cases.size());
}

TEST_CASE("a chunked request body is decoded and its limit enforced as it arrives") {
  TestHost t(Db::SQLite);
  bool closed = false;
  auto ok = exchange(t.port(),
                     "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n",
                     &closed);
  CHECK(ok.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK_THAT(ok, Catch::Contains("{\"bytes\":7}"));
  // The echo route takes 64 bytes at most: the 65th ends it with 413.
  auto big = exchange(t.port(),
                      "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n" +
                          std::string(65, 'x') + "\r\n0\r\n\r\n",
                      &closed);
  CHECK(big.rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(closed);
}

TEST_CASE("pipelined requests are answered in order on one connection") {
  TestHost t(Db::SQLite);
  Raw r(t.port());
  REQUIRE(r.connected());
  r.send("GET /api/v1/probe/ping HTTP/1.1\r\nHost: x\r\n\r\n"
         "POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
         "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto a = r.readResponse(3000), b = r.readResponse(3000), c = r.readResponse(3000);
  CHECK(a.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK_THAT(b, Catch::Contains("{\"bytes\":3}"));
  CHECK_THAT(c, Catch::Contains("{\"status\":\"ok\"}"));
}

TEST_CASE("Expect: 100-continue is answered before the body, HEAD gets no body, HTTP/1.0 closes") {
  TestHost t(Db::SQLite);
  {
    Raw r(t.port());
    r.send("POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    CHECK(r.readAll(500).rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0);
    r.send("hi");
    CHECK_THAT(r.readResponse(3000), Catch::Contains("{\"bytes\":2}"));
  }
  {
    Raw r(t.port());
    r.send("HEAD /app/index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto both = r.readAll(1000);  // Content-Length announced, no body: the next answer follows
    CHECK(both.rfind("HTTP/1.1 200 ", 0) == 0);
    const auto end = both.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    CHECK(both.find("Content-Length: ") < end);
    CHECK(both.find("Content-Length: 0\r\n") > end);
    CHECK(both.compare(end + 4, 13, "HTTP/1.1 200 ") == 0);
  }
  bool closed = false;
  auto old = exchange(t.port(), "GET /healthz HTTP/1.0\r\n\r\n", &closed);
  CHECK(old.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(closed);
}

TEST_CASE("a request head that does not arrive in time gets 408 and the connection closes") {
  TestHost t(Db::SQLite, "probe", "[server]\nhead_timeout_seconds = 1\n");
  Raw r(t.port());
  r.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finished
  bool closed = false;
  const auto got = r.readAll(5000, &closed);
  CHECK(got.rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(closed);
  Raw silent(t.port());  // connects and sends nothing: closed without an answer
  CHECK(silent.readAll(5000, &closed).empty());
  CHECK(closed);
  CHECK(t.host->serverStats().head_timeouts >= 2);
}

TEST_CASE("a body slower than body_min_rate gets 408 and the connection closes") {
  TestHost t(Db::SQLite, "probe", "[server]\nbody_grace_seconds = 1\nbody_min_rate = 1000\n");
  Raw r(t.port());
  r.send("POST /api/v1/probe/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n\r\n");
  bool closed = false;
  std::string got;
  for (int i = 0; i < 20 && !closed; ++i) {  // one byte every 200 ms
    r.send("x");
    got += r.readAll(200, &closed);
  }
  CHECK(got.rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(closed);
  CHECK(t.host->serverStats().body_timeouts == 1);
}

TEST_CASE("an idle keep-alive connection is closed after keepalive_timeout_seconds") {
  TestHost t(Db::SQLite, "probe", "[server]\nkeepalive_timeout_seconds = 1\n");
  Raw r(t.port());
  r.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.readResponse(3000).rfind("HTTP/1.1 200 ", 0) == 0);
  bool closed = false;
  CHECK(r.readAll(5000, &closed).empty());
  CHECK(closed);
}

TEST_CASE("connections over the per-address cap are closed while other addresses are served") {
  TestHost t(Db::SQLite, "probe", "[server]\nmax_connections_per_address = 5\n");
  std::vector<std::unique_ptr<Raw>> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(std::make_unique<Raw>(t.port(), "127.0.0.2"));
    held.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(held.back()->readResponse(3000).rfind("HTTP/1.1 200 ", 0) == 0);
  }
  Raw sixth(t.port(), "127.0.0.2");
  sixth.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  bool closed = false;
  CHECK(sixth.readAll(3000, &closed).empty());
  CHECK(closed);
  CHECK(t.host->serverStats().refused_over_cap == 1);
  CHECK(t.client().get("/healthz").status == 200);  // 127.0.0.1 is another address
  held.pop_back();  // one closes: the address may connect again
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Raw again(t.port(), "127.0.0.2");
  again.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(again.readResponse(3000).rfind("HTTP/1.1 200 ", 0) == 0);
}

TEST_CASE("hundreds of slow heads and slow bodies occupy no worker: others are answered, sign-in works") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  // Four workers only, against 300 attacking connections: with a thread per connection (or a
  // worker waiting on a body), nothing else would be answered.
  TestHost t(db, "probe", "[server]\nthreads = 4\nmax_connections_per_address = 1000\nshutdown_grace_seconds = 1\nhead_timeout_seconds = 300\nbody_grace_seconds = 300\n[session]\ncache_seconds = 0\n");
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.example", "owner");
  t.firm("beta");
  t.staff("beta", "owner@beta.example", "owner");
  auto alpha = t.signedIn("alpha", "owner@alpha.example");
  std::vector<std::unique_ptr<Raw>> attack;
  for (int i = 0; i < 150; ++i) {
    attack.push_back(std::make_unique<Raw>(t.port(), "127.0.0.2"));
    attack.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");  // slowloris head
  }
  for (int i = 0; i < 150; ++i) {
    // A slow body behind a real session cookie and CSRF token: the guard must not look the
    // session up (let alone open a write transaction) before the body is here.
    attack.push_back(std::make_unique<Raw>(t.port(), "127.0.0.2"));
    attack.back()->send("POST /api/v1/probe/items HTTP/1.1\r\nHost: x\r\nCookie: " + alpha.cookie +
                        "\r\nX-CSRF-Token: " + alpha.csrf + "\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"na");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int round = 0; round < 3; ++round) {
    Raw probe(t.port());
    probe.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(probe.readResponse(3000).rfind("HTTP/1.1 200 ", 0) == 0);
    auto beta = t.client();
    CHECK(beta.login("beta", "owner@beta.example", TestHost::kPassword).status == 200);
    auto mine = t.client();
    mine.cookie = alpha.cookie;
    mine.csrf = alpha.csrf;
    CHECK(mine.post("/api/v1/probe/items", R"({"name":"while attacked"})").status == 201);
  }
  for (auto& a : attack) CHECK(a->readAll(0).empty());  // still waiting, unanswered, not cut off
  CHECK(t.host->currentConnections() >= 300);
}
