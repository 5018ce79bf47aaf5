// lexosd under systemd's notify protocol (etc/lexosd.service: Type=notify, WatchdogSec=), seen
// the way systemd sees it, without booting systemd: the test binds the AF_UNIX datagram socket
// systemd would, hands it to lexosd as $NOTIFY_SOCKET (and a watchdog period as $WATCHDOG_USEC),
// and reads what lexosd sends: READY=1 only once it answers, WATCHDOG=1 while it answers,
// STOPPING=1 when SIGTERM starts the drain, and nothing READY from a lexosd whose database is
// unreachable.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "http_client.h"
#include "lexosd_process.h"
#include "test_host.h"

using namespace lexos::test;
using Clock = std::chrono::steady_clock;

namespace {

/// The receiving end of $NOTIFY_SOCKET, as systemd binds it.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket(AF_UNIX, SOCK_DGRAM) failed");
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) throw std::runtime_error("notify socket path too long: " + path);
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("bind " + path + ": " + std::strerror(errno));
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  /// The next datagram within `ms`, or "" when none came.
  std::string next(int ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return "";
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }
  /// Every datagram that arrives within the next `ms`.
  std::vector<std::string> collect(int ms) {
    std::vector<std::string> out;
    const auto end = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < end) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      std::string m = next(static_cast<int>(left));
      if (!m.empty()) out.push_back(m);
    }
    return out;
  }
  /// Datagrams until one containing `what` (returned last), or until `ms` in all have passed.
  std::vector<std::string> until(const std::string& what, int ms) {
    std::vector<std::string> out;
    const auto end = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < end) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      std::string m = next(static_cast<int>(left));
      if (m.empty()) break;
      out.push_back(m);
      if (m.find(what) != std::string::npos) break;
    }
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool has(const std::string& datagram, const std::string& line) {
  return ("\n" + datagram + "\n").find("\n" + line + "\n") != std::string::npos;
}

int count(const std::vector<std::string>& ds, const std::string& line) {
  int n = 0;
  for (const auto& d : ds) n += has(d, line) ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("lexosd tells systemd READY=1 once it answers, WATCHDOG=1 while it answers and STOPPING=1 when it drains") {
  TempDir dir;
  const std::string config = writeConfig(dir.path, Db::SQLite, "probe");
  std::string out;
  REQUIRE(lexosctl(config, "migrate", out) == 0);
  NotifySocket sock(dir.path + "/notify.sock");
  // A watchdog period of 1 s: lexosd asks its /healthz every 0.5 s.
  LexosdProcess d(config, dir.path + "/lexosd.log",
                  {{"NOTIFY_SOCKET", dir.path + "/notify.sock"}, {"WATCHDOG_USEC", "1000000"},
                   {"LEXOS_LOG_LEVEL", "information"}});

  const auto first = sock.until("READY=1", 10000);
  REQUIRE(!first.empty());
  const std::string ready = first.back();
  INFO("datagrams before and with READY=1: " << first.size() << ", last: " << ready);
  REQUIRE(has(ready, "READY=1"));
  CHECK(ready.find("STATUS=serving on http://") != std::string::npos);
  CHECK(count(first, "WATCHDOG=1") == 0);  // no watchdog ping before it is ready
  // By the time systemd hears READY=1, the server answers.
  HttpClient c(d.port());
  CHECK(c.get("/healthz").status == 200);
  CHECK(c.get("/readyz").status == 200);

  // Pings keep coming while it answers: about two a second (period 1 s, asked every half).
  const auto pings = sock.collect(2000);
  INFO("datagrams in the 2 s after READY=1: " << pings.size());
  CHECK(count(pings, "WATCHDOG=1") >= 2);
  for (const auto& p : pings) CHECK(p == "WATCHDOG=1");
  CHECK(d.log().find("systemd watchdog: /healthz asked every 500 ms") != std::string::npos);

  // SIGTERM: STOPPING=1 (with its status) and no watchdog ping after it; then a clean exit.
  d.signal(SIGTERM);
  const auto stopping = sock.until("STOPPING=1", 10000);
  REQUIRE(!stopping.empty());
  CHECK(has(stopping.back(), "STOPPING=1"));
  CHECK(stopping.back().find("STATUS=draining requests in flight") != std::string::npos);
  const auto exitCode = d.wait(30000);
  REQUIRE(exitCode.has_value());
  CHECK(*exitCode == 0);
  CHECK(count(sock.collect(700), "WATCHDOG=1") == 0);
}

TEST_CASE("lexosd whose database cannot be reached never tells systemd READY=1") {
  TempDir dir;
  const std::string config = writeConfig(dir.path, Db::SQLite, "probe");
  NotifySocket sock(dir.path + "/notify.sock");
  // Nothing listens on port 1: the connection is refused and lexosd exits before serving.
  REQUIRE_THROWS_WITH(LexosdProcess(config, dir.path + "/lexosd.log",
                                    {{"NOTIFY_SOCKET", dir.path + "/notify.sock"},
                                     {"WATCHDOG_USEC", "1000000"},
                                     {"LEXOS_DATABASE_URL", "postgresql://lexos_app@127.0.0.1:1/lexos"},
                                     {"LEXOS_LOG_LEVEL", "information"}}),
                      Catch::Contains("exited"));
  const auto said = sock.collect(300);
  CHECK(count(said, "READY=1") == 0);
  CHECK(count(said, "WATCHDOG=1") == 0);
}

TEST_CASE("lexosd outside systemd (no NOTIFY_SOCKET) serves as before and starts no watchdog") {
  TempDir dir;
  const std::string config = writeConfig(dir.path, Db::SQLite, "probe");
  std::string out;
  REQUIRE(lexosctl(config, "migrate", out) == 0);
  LexosdProcess d(config, dir.path + "/lexosd.log", {{"WATCHDOG_USEC", "1000000"}, {"LEXOS_LOG_LEVEL", "information"}});
  HttpClient c(d.port());
  CHECK(c.get("/healthz").status == 200);
  CHECK(d.log().find("systemd watchdog") == std::string::npos);
  d.signal(SIGTERM);
  const auto exitCode = d.wait(30000);
  REQUIRE(exitCode.has_value());
  CHECK(*exitCode == 0);
}
