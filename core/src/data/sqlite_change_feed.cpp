#include "data/sqlite_change_feed.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Logger.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace lexos::core {

SqliteChangeFeed::SqliteChangeFeed(std::string file) : file_(std::move(file)) {
  // Live as soon as the shared counters are mapped (once the database exists, so the file takes
  // its owner and mode).
  prepare();
}

bool SqliteChangeFeed::prepare() {
  std::lock_guard<std::mutex> lock(fileMu_);
  if (!mapped_ && mapShared()) live_ = true;
  return mapped_;
}

bool SqliteChangeFeed::mapShared() {
  // The counters live in a file beside the database, mapped shared: every process working on
  // this SQLite file (lexosd, lexosctl) sees the others' changes. A new file gets the
  // database's mode and (when created by root, like SQLite's own -wal and -shm files) owner.
  // Never through a symbolic link, never anything but a regular file.
  const std::string& db = file_;
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
  useSlots(static_cast<std::uint64_t*>(p), map_ != nullptr);
  map_ = p;
  dev_ = static_cast<std::uint64_t>(fs.st_dev);
  ino_ = static_cast<std::uint64_t>(fs.st_ino);
  mapped_.store(true, std::memory_order_release);
  problem_.clear();
  return true;
}

void SqliteChangeFeed::checkFile() const {
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
  const std::string path = file_ + "-guard";
  const bool same = map_ && ::lstat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == dev_ &&
                    static_cast<std::uint64_t>(st.st_ino) == ino_;
  if (same) return;
  auto* self = const_cast<SqliteChangeFeed*>(this);
  const bool was = self->live_.exchange(false);
  const bool ok = self->mapShared();
  self->live_ = ok;
  if (was != ok || !ok) {
    auto& log = Poco::Logger::get("lexosd");
    if (ok) log.information("session cache: mapped " + path + " again");
    else if (was) log.warning("session cache off: " + problem_);
  }
}

bool SqliteChangeFeed::live() const {
  checkFile();
  return live_.load(std::memory_order_acquire);
}

std::string SqliteChangeFeed::problem() const {
  std::lock_guard<std::mutex> lock(fileMu_);
  return problem_;
}

}  // namespace lexos::core
