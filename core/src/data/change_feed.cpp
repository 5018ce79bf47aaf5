#include "data/change_feed.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Logger.h>

#include <chrono>
#include <cstdlib>
#include <map>

namespace lexos::core {

ChangeFeed& ChangeFeed::forDatabase(const std::string& url) {
  // Never destroyed: connections and the listener may outlive static destruction order.
  static auto* mu = new std::mutex;
  static auto* feeds = new std::map<std::string, ChangeFeed*>;
  std::lock_guard<std::mutex> lock(*mu);
  auto it = feeds->find(url);
  if (it == feeds->end()) it = feeds->emplace(url, new ChangeFeed(url)).first;
  return *it->second;
}

ChangeFeed::ChangeFeed(std::string url) : url_(std::move(url)) {
  postgres_ = url_.rfind("sqlite:", 0) != 0;
  if (!postgres_) {
    // The counters live in a file beside the database, mapped shared: every process working on
    // this SQLite file (lexosd, lexosctl) sees the others' changes. Same owner and mode as the
    // database, like SQLite's own -wal and -shm files.
    const std::string db = url_.substr(7);
    const std::string path = db + "-guard";
    struct stat st {};
    const bool haveDb = ::stat(db.c_str(), &st) == 0;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, haveDb ? (st.st_mode & 0666) : 0600);
    if (fd >= 0) {
      if (haveDb && ::geteuid() == 0) (void)!::fchown(fd, st.st_uid, st.st_gid);
      struct stat fs {};
      const off_t size = static_cast<off_t>(kSlots * sizeof(std::uint64_t));
      if (::fstat(fd, &fs) == 0 && (fs.st_size >= size || ::ftruncate(fd, size) == 0)) {
        void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
          map_ = p;
          slots_ = static_cast<std::uint64_t*>(p);
        }
      }
      ::close(fd);
    }
  }
  if (!slots_) {
    private_.assign(kSlots, 0);
    slots_ = private_.data();
  }
  // SQLite: live as soon as the shared counters are mapped. PostgreSQL: once listening.
  live_ = !postgres_ && map_ != nullptr;
}

ChangeFeed::~ChangeFeed() {
  listeners_ = 0;
  stopListener();
  if (map_) ::munmap(map_, kSlots * sizeof(std::uint64_t));
}

std::size_t ChangeFeed::slotOf(std::int64_t firm) const {
  if (firm == 0) return 0;
  auto h = static_cast<std::uint64_t>(firm) * 0x9E3779B97F4A7C15ull;
  return 1 + static_cast<std::size_t>((h >> 32) % (kSlots - 1));
}

std::uint64_t ChangeFeed::generation(std::int64_t firm) const {
  return __atomic_load_n(slot(0), __ATOMIC_ACQUIRE) + __atomic_load_n(slot(slotOf(firm)), __ATOMIC_ACQUIRE);
}

void ChangeFeed::publish(const std::vector<std::int64_t>& firms) {
  for (auto f : firms) __atomic_fetch_add(slot(slotOf(f)), 1, __ATOMIC_ACQ_REL);
}

void ChangeFeed::startListener(const std::string& listenUrl) {
  std::lock_guard<std::mutex> lock(mu_);
  ++listeners_;
  if (!postgres_ || listener_.joinable()) return;
  listenUrl_ = listenUrl.empty() ? url_ : listenUrl;
  stop_ = false;
  listener_ = std::thread([this] { listen(); });
}

void ChangeFeed::stopListener() {
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (listeners_ > 0 && --listeners_ > 0) return;  // another host of this process still serves
    stop_ = true;
    t = std::move(listener_);
  }
  if (t.joinable()) t.join();
  if (postgres_) live_ = false;
}

void ChangeFeed::listen() {
  auto& log = Poco::Logger::get("lexosd");
  using Clock = std::chrono::steady_clock;
  // The listener proves the path a change takes, end to end, before the cache may answer and
  // then every 2 s: it NOTIFYs a ping of its own and must hear it back within 3 s. A connection
  // that died without a word (a cable, a firewall) or that cannot deliver notifications
  // (PgBouncer in transaction mode: use database.listen_url) thus turns the cache off.
  static std::atomic<std::uint64_t> nonces{0};
  const std::string me = "ping " + std::to_string(::getpid()) + "." +
                         std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".";
  bool warned = false;
  auto pause = [&] {
    for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  };
  while (!stop_) {
    // Named, so that an administrator sees it in pg_stat_activity for what it is.
    const char* keys[] = {"dbname", "application_name", nullptr};
    const char* values[] = {listenUrl_.c_str(), "lexosd change listener", nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 1);
    PGresult* r = c && PQstatus(c) == CONNECTION_OK ? PQexec(c, "LISTEN lexos_guard") : nullptr;
    const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (r) PQclear(r);
    if (!ok) {
      if (!warned) log.warning("session cache off: cannot LISTEN for changes: %s", std::string(c ? PQerrorMessage(c) : "out of memory"));
      warned = true;
      PQfinish(c);
      pause();
      continue;
    }
    PQsetnonblocking(c, 1);
    bool dead = false;
    std::string waitingFor;  // the ping sent and not yet heard back
    Clock::time_point sent, lastPong;
    auto ping = [&] {
      waitingFor = me + std::to_string(++nonces);
      const std::string sql = "SELECT pg_notify('lexos_guard', '" + waitingFor + "')";
      if (PQsendQuery(c, sql.c_str()) != 1) dead = true;
      sent = Clock::now();
    };
    ping();
    while (!stop_ && !dead) {
      PQflush(c);
      pollfd p{PQsocket(c), POLLIN, 0};
      const int n = ::poll(&p, 1, 250);
      if (n < 0 && errno != EINTR) dead = true;
      if (n > 0 && !PQconsumeInput(c)) dead = true;
      while (!dead && !PQisBusy(c)) {  // results of our pings
        PGresult* res = PQgetResult(c);
        if (!res) break;
        if (PQresultStatus(res) != PGRES_TUPLES_OK) dead = true;
        PQclear(res);
      }
      while (PGnotify* note = PQnotifies(c)) {
        const std::string payload = note->extra;
        PQfreemem(note);
        if (payload.rfind("ping ", 0) == 0) {  // heartbeats: ours, or another node's
          if (payload == waitingFor) {
            waitingFor.clear();
            lastPong = Clock::now();
            if (!live_) {
              // Whatever changed while nobody listened is unknown: all cached before is stale.
              publish({0});
              live_ = true;
              if (warned) log.information("session cache on: listening for changes again");
              warned = false;
            }
          }
          continue;
        }
        publish({std::strtoll(payload.c_str(), nullptr, 10)});
        ++received_;
      }
      const auto now = Clock::now();
      if (!waitingFor.empty() && now - sent > std::chrono::seconds(3)) {
        if (!warned) log.warning("session cache off: the change listener did not hear its own notification within 3 s");
        warned = true;
        dead = true;
      }
      if (waitingFor.empty() && now - lastPong > std::chrono::seconds(2)) ping();
      if (PQstatus(c) != CONNECTION_OK) dead = true;
    }
    live_ = false;
    publish({0});
    PQfinish(c);
    if (dead && !stop_) {
      if (!warned) log.warning("session cache off: lost the change listener's connection; reconnecting");
      warned = true;
      pause();
    }
  }
}

}  // namespace lexos::core
