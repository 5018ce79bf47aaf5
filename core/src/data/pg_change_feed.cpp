#include "data/pg_change_feed.h"

#include <libpq-fe.h>
#include <poll.h>

#include <Poco/Logger.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <random>

namespace lexos::core {

PgChangeFeed::PgChangeFeed(std::string url) : url_(std::move(url)) {}

PgChangeFeed::~PgChangeFeed() {
  listeners_ = 0;
  stopListener();
}

bool PgChangeFeed::live() const {
  if (!live_.load(std::memory_order_acquire)) return false;
  // The reader checks the proof's age itself: a listener that is starved, paused or cut off
  // cannot leave the cache answering.
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now().time_since_epoch()).count();
  return now - provenSentAt_.load(std::memory_order_acquire) < std::int64_t{kProofMs} * 1000000;
}

void PgChangeFeed::startListener(const std::string& listenUrl) {
  std::lock_guard<std::mutex> lock(mu_);
  ++listeners_;
  if (listener_.joinable()) return;
  listenUrl_ = listenUrl.empty() ? url_ : listenUrl;
  stop_ = false;
  listener_ = std::thread([this] { listen(); });
}

void PgChangeFeed::stopListener() {
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (listeners_ > 0 && --listeners_ > 0) return;  // another host of this process still serves
    stop_ = true;
    t = std::move(listener_);
  }
  if (t.joinable()) t.join();
  live_ = false;
}

namespace {

// A libpq connection that never blocks the listener for long: connect_timeout bounds the
// connection, and every query after it is sent without waiting.
PGconn* connectQuickly(const std::string& url, const char* name) {
  const char* keys[] = {"dbname", "application_name", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), name, "3", nullptr};
  PGconn* c = PQconnectdbParams(keys, values, 1);
  if (c && PQstatus(c) == CONNECTION_OK) PQsetnonblocking(c, 1);
  return c;
}

std::string oneLine(const char* msg) {
  std::string m = msg ? msg : "";
  for (auto& ch : m)
    if (ch == '\n') ch = ' ';
  while (!m.empty() && m.back() == ' ') m.pop_back();
  return m;
}

}  // namespace

void PgChangeFeed::listen() {
  auto& log = Poco::Logger::get("lexosd");
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  // Two connections: one LISTENs (database.listen_url), the other sends a ping every 100 ms the
  // way every change travels (database.url). The cache answers only while the last ping heard
  // back was sent less than kProofMs ago (live() checks the age itself). A ping not back after
  // 5 s gives up on both connections and starts again.
  std::random_device rd;
  const std::string me = "ping " + std::to_string((std::uint64_t{rd()} << 32) | rd()) + ".";
  std::uint64_t nonce = 0;
  std::string warned;
  auto warn = [&](const std::string& why) {
    if (warned != why) log.warning("session cache off: " + why);
    warned = why;
  };
  auto pause = [&] {
    for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(milliseconds(100));
  };
  auto nanos = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  };
  while (!stop_) {
    PGconn* lc = connectQuickly(listenUrl_, "lexosd change listener");
    PGconn* pc = lc && PQstatus(lc) == CONNECTION_OK ? connectQuickly(url_, "lexosd change listener (ping)") : nullptr;
    std::string failure;
    if (!lc || PQstatus(lc) != CONNECTION_OK) failure = "cannot connect to listen for changes: " + oneLine(lc ? PQerrorMessage(lc) : "out of memory");
    else if (!pc || PQstatus(pc) != CONNECTION_OK) failure = "cannot connect to send pings: " + oneLine(pc ? PQerrorMessage(pc) : "out of memory");
    else if (PQsendQuery(lc, "LISTEN lexos_guard") != 1) failure = "cannot LISTEN: " + oneLine(PQerrorMessage(lc));
    if (!failure.empty()) {
      warn(failure);
      PQfinish(pc);
      PQfinish(lc);
      pause();
      continue;
    }
    bool dead = false, listening = false, heardOnce = false, pingBusy = false;
    const auto connected = Clock::now();
    std::string waitingFor;  // the ping sent and not yet heard back
    Clock::time_point sent, lastSent = connected - milliseconds(1000);
    while (!stop_ && !dead) {
      PQflush(lc);
      PQflush(pc);
      pollfd p[2] = {{PQsocket(lc), POLLIN, 0}, {PQsocket(pc), POLLIN, 0}};
      const int n = ::poll(p, 2, 20);
      if (n < 0 && errno != EINTR) { failure = "poll failed"; dead = true; }
      for (PGconn* c : {lc, pc}) {
        if (dead) break;
        if (!PQconsumeInput(c)) { failure = "lost its connection: " + oneLine(PQerrorMessage(c)); dead = true; break; }
        while (!PQisBusy(c)) {  // results of LISTEN and of the pings
          PGresult* res = PQgetResult(c);
          if (!res) {
            if (c == pc) pingBusy = false;  // the ping's query is complete: the next may go
            break;
          }
          const auto st = PQresultStatus(res);
          if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) { failure = oneLine(PQresultErrorMessage(res)); dead = true; }
          if (c == lc && st == PGRES_COMMAND_OK) listening = true;  // LISTEN done: pings may start
          PQclear(res);
        }
      }
      while (PGnotify* note = PQnotifies(lc)) {
        const std::string payload = note->extra;
        PQfreemem(note);
        if (payload.rfind("ping ", 0) == 0) {  // heartbeats: ours, or another node's
          if (payload == waitingFor) {
            waitingFor.clear();
            // Everything committed before this ping was sent has been heard (commit order).
            provenSentAt_.store(nanos(sent), std::memory_order_release);
            if (!heardOnce) {
              // What changed while nobody listened on this connection is unknown: all cached
              // before is stale.
              publish({0});
              heardOnce = true;
              live_ = true;
              if (!warned.empty()) log.information("session cache on: the change listener hears its pings again");
              warned.clear();
            }
          }
          continue;
        }
        publish({std::strtoll(payload.c_str(), nullptr, 10)});
        ++received_;
      }
      const auto now = Clock::now();
      if (!listening && now - connected > milliseconds(5000)) {
        failure = "LISTEN got no answer within 5 s";
        dead = true;
      }
      if (!waitingFor.empty() && now - sent > milliseconds(5000)) {
        failure = "the change listener did not hear its own ping within 5 s (a stalled connection, or "
                  "database.listen_url going through PgBouncer in transaction mode)";
        dead = true;
      }
      if (!dead && listening && waitingFor.empty() && !pingBusy && now - lastSent >= milliseconds(100)) {
        waitingFor = me + std::to_string(++nonce);
        const std::string sql = "SELECT pg_notify('lexos_guard', '" + waitingFor + "')";
        if (PQsendQuery(pc, sql.c_str()) != 1) { failure = "cannot send a ping: " + oneLine(PQerrorMessage(pc)); dead = true; }
        sent = lastSent = now;
        pingBusy = true;
      }
      if (PQstatus(lc) != CONNECTION_OK || PQstatus(pc) != CONNECTION_OK) dead = true;
    }
    // Off first: from here on the cache does not answer, then all it holds is stale.
    live_ = false;
    publish({0});
    PQfinish(pc);
    PQfinish(lc);
    if (dead && !stop_) {
      warn(failure.empty() ? "lost the change listener's connection; reconnecting" : failure + "; reconnecting");
      pause();
    }
  }
}

}  // namespace lexos::core
