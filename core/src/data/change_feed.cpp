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
#include <cstring>
#include <map>
#include <random>

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
  private_.assign(kSlots, 0);
  slots_ = private_.data();
  // SQLite: live as soon as the shared counters are mapped (once the database exists, so the
  // file takes its owner and mode). PostgreSQL: while the listener's pings come back.
  if (!postgres_) prepare();
}

bool ChangeFeed::prepare() {
  if (postgres_) return true;
  std::lock_guard<std::mutex> lock(fileMu_);
  if (!mapped_ && mapShared()) live_ = true;
  return mapped_;
}

ChangeFeed::~ChangeFeed() {
  listeners_ = 0;
  stopListener();
}

bool ChangeFeed::mapShared() {
  // The counters live in a file beside the database, mapped shared: every process working on
  // this SQLite file (lexosd, lexosctl) sees the others' changes. A new file gets the
  // database's mode and (when created by root, like SQLite's own -wal and -shm files) owner.
  // Never through a symbolic link, never anything but a regular file.
  const std::string db = url_.substr(7);
  const std::string path = db + "-guard";
  const std::size_t size = kSlots * sizeof(std::uint64_t);
  struct stat dbst {};
  if (::stat(db.c_str(), &dbst) != 0) {
    problem_ = path + ": the database " + db + " does not exist yet";
    return false;
  }
  bool created = true;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) {
    problem_ = path + ": " + std::strerror(errno);
    return false;
  }
  struct stat fs {};
  if (::fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode) || fs.st_nlink != 1 ||
      (::geteuid() == 0 && !created && fs.st_uid != dbst.st_uid)) {
    // Not a plain file of its own (a hard link could make root write into any file), or, for
    // root, not owned like the database.
    problem_ = path + ": not a regular file with one link, owned like the database";
    ::close(fd);
    return false;
  }
  if (created) {
    (void)!::fchmod(fd, dbst.st_mode & 0666);
    if (::geteuid() == 0) (void)!::fchown(fd, dbst.st_uid, dbst.st_gid);
  }
  if (fs.st_size < static_cast<off_t>(size)) {
    // Allocated, not sparse: a full disk must fail here, not as SIGBUS on a later write.
    if (int e = ::posix_fallocate(fd, 0, static_cast<off_t>(size))) {
      problem_ = path + ": " + std::strerror(e);
      ::close(fd);
      return false;
    }
  }
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) {
    problem_ = path + ": " + std::strerror(err);
    return false;
  }
  // A mapping replaced here stays mapped (a reader may still hold it): 32 KiB, only when the
  // file was replaced under a running process.
  // Readers take the counters first and the epoch second (generation()): bumping the epoch
  // before the counters change hands means no reader pairs an old epoch with new counters.
  if (map_) epoch_.fetch_add(1, std::memory_order_acq_rel);
  map_ = p;
  dev_ = static_cast<std::uint64_t>(fs.st_dev);
  ino_ = static_cast<std::uint64_t>(fs.st_ino);
  slots_.store(static_cast<std::uint64_t*>(p), std::memory_order_release);
  mapped_.store(true, std::memory_order_release);
  problem_.clear();
  return true;
}

void ChangeFeed::checkFile() const {
  // Every 20 ms at most: is the mapped file still the one on disk? If someone deleted or
  // replaced it, other processes now announce into the new one: map that one, and let no
  // generation read before match again. (Like SQLite's -wal and -shm files, it must not be
  // edited, truncated or restored while processes use the database.)
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now - checkedAt_.load(std::memory_order_relaxed) < 20) return;
  std::unique_lock<std::mutex> lock(fileMu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  checkedAt_ = now;
  struct stat st {};
  const std::string path = url_.substr(7) + "-guard";
  const bool same = map_ && ::lstat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == dev_ &&
                    static_cast<std::uint64_t>(st.st_ino) == ino_;
  if (same) return;
  auto* self = const_cast<ChangeFeed*>(this);
  const bool was = self->live_.exchange(false);
  const bool ok = self->mapShared();
  self->live_ = ok;
  if (was != ok || !ok) {
    auto& log = Poco::Logger::get("lexosd");
    if (ok) log.information("session cache: mapped " + path + " again");
    else if (was) log.warning("session cache off: " + problem_);
  }
}

bool ChangeFeed::live() const {
  if (!postgres_) {
    checkFile();
    return live_.load(std::memory_order_acquire);
  }
  if (!live_.load(std::memory_order_acquire)) return false;
  // The reader checks the proof's age itself: a listener that is starved, paused or cut off
  // cannot leave the cache answering.
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now().time_since_epoch()).count();
  return now - provenSentAt_.load(std::memory_order_acquire) < std::int64_t{kProofMs} * 1000000;
}

std::string ChangeFeed::problem() const {
  std::lock_guard<std::mutex> lock(fileMu_);
  return problem_;
}

std::size_t ChangeFeed::slotOf(std::int64_t firm) const {
  if (firm == 0) return 0;
  auto h = static_cast<std::uint64_t>(firm) * 0x9E3779B97F4A7C15ull;
  return 1 + static_cast<std::size_t>((h >> 32) % (kSlots - 1));
}

std::uint64_t ChangeFeed::generation(std::int64_t firm) const {
  const std::uint64_t counters = __atomic_load_n(slot(0), __ATOMIC_ACQUIRE) + __atomic_load_n(slot(slotOf(firm)), __ATOMIC_ACQUIRE);
  return (epoch_.load(std::memory_order_acquire) << 48) + counters;  // epoch after counters: see mapShared()
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

void ChangeFeed::listen() {
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
