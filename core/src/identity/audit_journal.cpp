#include "identity/audit_journal.h"

#include <Poco/Checksum.h>
#include <Poco/Logger.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>

#include "common/time.h"
#include "identity/audit_log.h"

namespace lexos::core {

namespace {

// A record: kMagic, u32 payload length, u32 CRC-32 of the payload (little endian), the payload:
// fields, each a u32 length and its bytes: firm id (decimal), time, actor, address, request id,
// event count (decimal), then action, object type, object id and detail of each event.
constexpr char kMagic[4] = {'\x1e', 'L', 'X', 'R'};
constexpr std::size_t kRecordHead = 12;
constexpr std::uint32_t kMaxPayload = 16u * 1024 * 1024;
const char* kHeaderText = "LEXOS-AUDIT-JOURNAL v1 ";  // + 32 hex digits + "\n"

void putU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint32_t getU32(const std::string& in, std::size_t pos) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[pos + static_cast<std::size_t>(i)]);
  return v;
}
void putField(std::string& out, const std::string& s) {
  putU32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}
bool getField(const std::string& in, std::size_t& pos, std::size_t end, std::string& out) {
  if (end - pos < 4) return false;
  const std::uint32_t n = getU32(in, pos);
  pos += 4;
  if (end - pos < n) return false;
  out.assign(in, pos, n);
  pos += n;
  return true;
}
std::uint32_t crc32(const char* p, std::size_t n) {
  Poco::Checksum c(Poco::Checksum::TYPE_CRC32);
  c.update(p, static_cast<unsigned>(n));
  return c.checksum();
}

std::string newHeader() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string h = kHeaderText;
  for (int i = 0; i < 32; ++i) h.push_back(hex[gen() & 0xf]);
  h.push_back('\n');
  return h;
}

// The file's id from its header; empty when the header is not (yet) a whole, valid one.
std::string headerId(int fd) {
  char buf[AuditJournal::kHeaderBytes];
  if (::pread(fd, buf, sizeof buf, 0) != static_cast<ssize_t>(sizeof buf)) return {};
  const std::size_t n = std::strlen(kHeaderText);
  if (std::memcmp(buf, kHeaderText, n) != 0 || buf[sizeof buf - 1] != '\n') return {};
  std::string id(buf + n, 32);
  if (id.find_first_not_of("0123456789abcdef") != std::string::npos) return {};
  return id;
}

bool writeAll(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

AuditJournal& AuditJournal::forDatabase(const std::string& file) {
  static auto* mu = new std::mutex;
  static auto* all = new std::map<std::string, AuditJournal*>;
  std::lock_guard<std::mutex> lock(*mu);
  auto it = all->find(file);
  if (it == all->end()) it = all->emplace(file, new AuditJournal(file + "-audit")).first;
  return *it->second;
}

AuditJournal* AuditJournal::of(Connection& c) {
  const std::string file = c.databaseFile();
  return file.empty() ? nullptr : &forDatabase(file);
}

bool AuditJournal::ready() {
  if (ready_.load(std::memory_order_acquire)) return true;
  std::unique_lock<std::shared_mutex> lock(appenders_);
  if (fd_ >= 0) return ready_.load();
  const int fd = ::open(file_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    problem_ = file_ + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (static_cast<std::size_t>(st.st_size) < kHeaderBytes &&
                                 (::ftruncate(fd, 0) != 0 || !writeAll(fd, newHeader())))) {
    problem_ = file_ + ": cannot write its header: " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (headerId(fd).empty()) {
    problem_ = file_ + ": not a LexOS audit journal (its first line is not the journal's header)";
    ::close(fd);
    return false;
  }
  fd_ = fd;
  problem_.clear();
  ready_ = true;
  return true;
}

std::string AuditJournal::problem() const { return problem_; }

void AuditJournal::close() {
  std::unique_lock<std::shared_mutex> lock(appenders_);
  ready_ = false;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void AuditJournal::append(const sdk::Principal& actor, const std::string& address, const std::string& requestId,
                          const std::vector<BufferedAudit::Event>& events) {
  if (events.empty() || actor.firm_id == 0) return;
  std::string payload;
  putField(payload, std::to_string(actor.firm_id));
  putField(payload, utcTimestamp());
  putField(payload, AuditLog::actorText(actor));
  putField(payload, address);
  putField(payload, requestId);
  putField(payload, std::to_string(events.size()));
  for (const auto& e : events) {
    putField(payload, e.action);
    putField(payload, e.object_type);
    putField(payload, e.object_id);
    putField(payload, e.detail);
  }
  if (payload.size() > kMaxPayload) throw std::runtime_error("audit journal: a record of " + std::to_string(payload.size()) + " bytes is too large");
  std::string rec(kMagic, sizeof kMagic);
  putU32(rec, static_cast<std::uint32_t>(payload.size()));
  putU32(rec, crc32(payload.data(), payload.size()));
  rec += payload;
  std::shared_lock<std::shared_mutex> lock(appenders_);
  // One write() of the whole record: with O_APPEND the kernel gives it its own place at the end,
  // whatever other threads append at the same moment.
  ssize_t n;
  do n = ::write(fd_, rec.data(), rec.size());
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(rec.size())) {
    // A short write (a full disk) leaves a record that drains stop at until lexosd's next start
    // steps over it (recover()). From here on reads are recorded the other way.
    const std::string why = n < 0 ? std::strerror(errno) : "short write";
    ready_ = false;
    problem_ = file_ + ": " + why;
    throw std::runtime_error("audit journal: cannot record the read (" + why + ")");
  }
  appends_.fetch_add(1, std::memory_order_acq_rel);
}

bool AuditJournal::decode(const std::string& buf, std::size_t pos, std::size_t* next, Record* out) {
  if (buf.size() - pos < kRecordHead || std::memcmp(buf.data() + pos, kMagic, sizeof kMagic) != 0) return false;
  const std::uint32_t len = getU32(buf, pos + 4);
  const std::uint32_t crc = getU32(buf, pos + 8);
  if (len > kMaxPayload || buf.size() - pos - kRecordHead < len) return false;
  const std::size_t start = pos + kRecordHead, end = start + len;
  if (crc32(buf.data() + start, len) != crc) return false;
  std::size_t p = start;
  std::string firm, count;
  Record r;
  if (!getField(buf, p, end, firm) || !getField(buf, p, end, r.at) || !getField(buf, p, end, r.who) ||
      !getField(buf, p, end, r.address) || !getField(buf, p, end, r.requestId) || !getField(buf, p, end, count))
    return false;
  try {
    r.firm = std::stoll(firm);
    const long long n = std::stoll(count);
    if (r.firm <= 0 || n < 0 || n > 100000) return false;
    for (long long i = 0; i < n; ++i) {
      BufferedAudit::Event e;
      if (!getField(buf, p, end, e.action) || !getField(buf, p, end, e.object_type) ||
          !getField(buf, p, end, e.object_id) || !getField(buf, p, end, e.detail))
        return false;
      r.events.push_back(std::move(e));
    }
  } catch (const std::exception&) {
    return false;
  }
  if (p != end) return false;
  *next = end;
  *out = std::move(r);
  return true;
}

std::int64_t AuditJournal::drainLocked(Connection& c, std::int64_t restoreFirm, bool skipBad, std::int64_t* end) {
  *end = -1;
  const std::uint64_t appendedBefore = appends_.load(std::memory_order_acquire);
  struct CaughtUp {  // a drain that reached the end has chained every record appended before it began
    std::atomic<std::uint64_t>& to;
    std::uint64_t value;
    const std::int64_t& end;
    ~CaughtUp() {
      if (end < 0) return;
      std::uint64_t cur = to.load();
      while (cur < value && !to.compare_exchange_weak(cur, value)) {
      }
    }
  } caughtUp{caughtUp_, appendedBefore, *end};
  Fd f;
  f.fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return 0;  // no journal yet, or not this process's to read
  const std::string id = headerId(f.fd);
  if (id.empty()) return 0;
  auto mark = c.query("SELECT drained_to FROM audit_journal_marks WHERE journal_id = $1", {id});
  // A journal this database never marked is not its own (lexosd marks a new file before anything
  // is appended to it: resetLocked()): e.g. left beside a database that a restore replaced.
  if (mark.empty()) return 0;
  const std::int64_t from = sdk::asInt(mark.rows[0][0]);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return 0;
  const std::int64_t size = st.st_size;
  *end = size;
  if (size <= from) {
    *end = from == size ? size : -1;
    return 0;
  }
  std::string buf(static_cast<std::size_t>(size - from), '\0');
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::pread(f.fd, buf.data() + got, buf.size() - got, from + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  std::vector<Record> records;
  std::size_t pos = 0;
  while (pos < buf.size()) {
    Record r;
    std::size_t next = 0;
    if (decode(buf, pos, &next, &r)) {
      records.push_back(std::move(r));
      pos = next;
      continue;
    }
    if (!skipBad) break;  // a record still being written: the next drain takes it
    // recover(): bytes that are no whole record (a write cut short by a crash): on to the next
    // record that is one.
    const auto at = buf.find(std::string(kMagic, sizeof kMagic), pos + 1);
    pos = at == std::string::npos ? buf.size() : at;
  }
  const std::int64_t to = from + static_cast<std::int64_t>(pos);
  // Consecutive records of one firm are chained together (one read of the chain's head).
  std::size_t i = 0;
  while (i < records.size()) {
    std::size_t j = i;
    std::vector<AuditLog::Chained> same;
    while (j < records.size() && records[j].firm == records[i].firm) {
      const Record& r = records[j];
      same.push_back({&r.at, &r.who, &r.address, &r.requestId, &r.events});
      ++j;
    }
    c.setScope({records[i].firm, 0});
    AuditLog::chainSqlite(c, records[i].firm, same);
    i = j;
  }
  if (to != from) {
    c.execute("INSERT INTO audit_journal_marks (journal_id, drained_to, updated_at) VALUES ($1, $2, $3) "
              "ON CONFLICT (journal_id) DO UPDATE SET drained_to = excluded.drained_to, updated_at = excluded.updated_at",
              {id, to, utcTimestamp()});
  }
  c.setScope({restoreFirm, 0});
  *end = to == size ? size : -1;
  std::int64_t events = 0;
  for (const auto& r : records) events += static_cast<std::int64_t>(r.events.size());
  return events;
}

std::int64_t AuditJournal::drainIn(Connection& c, std::int64_t restoreFirm) {
  std::int64_t end = 0;
  return drainLocked(c, restoreFirm, false, &end);
}

std::int64_t AuditJournal::drain(Connection& c, bool resetting) {
  std::int64_t end = 0, n = 0;
  auto once = [&] {
    c.begin(true);
    try {
      n += drainLocked(c, 0, false, &end);
      c.commit();
    } catch (...) {
      if (c.inTransaction()) c.rollback();
      throw;
    }
  };
  once();
  if (!resetting || end < kResetBytes || !ready_.load()) return n;
  // Large and chained to its end: empty it, with no append in flight (they wait here a moment).
  std::unique_lock<std::shared_mutex> lock(appenders_);
  once();  // what was appended since
  if (end >= 0) resetLocked(c);
  return n;
}

void AuditJournal::resetLocked(Connection& c) {
  // Everything in the file is chained and committed (its mark says so), and nothing is appended
  // meanwhile (the appenders' lock is held). The new id is marked in the database first, then
  // the file emptied and given it: a crash in between leaves the old file, all chained (the next
  // start empties it again), or a file with only a header.
  if (fd_ < 0) return;
  const std::string header = newHeader();
  const std::string id = header.substr(std::strlen(kHeaderText), 32);
  const std::string old = headerId(fd_);
  c.begin(true);
  try {
    c.execute("DELETE FROM audit_journal_marks WHERE journal_id <> $1", {old});
    c.execute("INSERT INTO audit_journal_marks (journal_id, drained_to, updated_at) VALUES ($1, $2, $3)",
              {id, static_cast<std::int64_t>(kHeaderBytes), utcTimestamp()});
    c.commit();
  } catch (...) {
    if (c.inTransaction()) c.rollback();
    throw;
  }
  if (::ftruncate(fd_, 0) != 0 || !writeAll(fd_, header)) {
    ready_ = false;
    problem_ = file_ + ": cannot empty it: " + std::strerror(errno);
  }
}

std::int64_t AuditJournal::recover(Connection& c) {
  if (!ready()) return 0;
  std::unique_lock<std::shared_mutex> lock(appenders_);
  std::int64_t end = 0, n = 0;
  const std::string id = headerId(fd_);
  struct stat st {};
  if (!id.empty() && ::fstat(fd_, &st) == 0 && static_cast<std::size_t>(st.st_size) > kHeaderBytes &&
      c.query("SELECT 1 FROM audit_journal_marks WHERE journal_id = $1", {id}).empty())
    Poco::Logger::get("lexosd").warning("audit: " + file_ + " holds " + std::to_string(st.st_size - kHeaderBytes) +
                                        " bytes of another database's journal (the database was replaced?); "
                                        "they are not chained into this one, and the file is emptied");
  c.begin(true);
  try {
    n = drainLocked(c, 0, true, &end);
    c.commit();
  } catch (...) {
    if (c.inTransaction()) c.rollback();
    throw;
  }
  resetLocked(c);
  return n;
}

}  // namespace lexos::core
