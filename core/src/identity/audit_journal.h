#pragma once
// The read journal of a SQLite database (issue 15, docs/audit.md "SQLite: the read journal"):
// where a portal view's or a download's audit events go before the answer leaves, without
// waiting for SQLite's one writer.
//
// SQLite has one writer at a time; recording every read's events in a write transaction before
// answering made every audited page wait for that writer, and for the threads handing the
// group commit around (bench/portal.sh: the audited, empty invoice list at 0.24x of /api/v1/me
// where the unaudited document list, one statement too, served 0.69x). Instead:
//
// 1. A read's events are appended to `<database file>-audit` with one write() of one framed
//    record (magic, length, CRC-32, then the firm, time, actor, address, request id and events),
//    O_APPEND: no lock between requests, no transaction, no thread handed over. Once write()
//    returns the record is in the kernel's page cache: it outlives lexosd being killed
//    (SIGKILL, a crash); like SQLite's own WAL at synchronous=NORMAL, which this database runs
//    with, it is not synced to the disk per record.
// 2. The records are chained into audit_log by whoever next holds the write lock: the
//    sequencer's thread a few milliseconds later, any write that audits (before its own events,
//    so the chain keeps the order in which answers were given), and every reader of the log
//    (lexosctl audit verify, GET /api/v1/audit). The offset chained up to is kept in
//    audit_journal_marks in the same transaction as the rows: each record is chained exactly
//    once, whoever drains and whenever a process dies.
// 3. lexosd empties the file once everything in it is chained and it has grown past kResetBytes,
//    and at start (recover()), where it also steps over a record cut short by a crash.
//
// One lexosd per SQLite database (as always); lexosctl only drains, never appends or resets.

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <vector>

#include "data/connection.h"
#include "identity/buffered_audit.h"
#include "lexos/sdk/principal.h"

namespace lexos::core {

class AuditJournal {
 public:
  /// The journal of the SQLite database `file` (one per file in this process, never destroyed).
  static AuditJournal& forDatabase(const std::string& file);
  /// The journal of `c`'s database, or nullptr when it has none (PostgreSQL).
  static AuditJournal* of(Connection& c);

  /// A file past this size is emptied once all of it is chained.
  static constexpr std::int64_t kResetBytes = 4 * 1024 * 1024;
  /// The header: "LEXOS-AUDIT-JOURNAL v1 " + 32 hex digits (the file's id) + "\n".
  static constexpr std::size_t kHeaderBytes = 56;

  /// Opens (creating) the file for appending. False, with problem() saying why, when it cannot:
  /// reads are then recorded the slower way (a write transaction each, grouped).
  bool ready();
  std::string problem() const;
  /// Whether records appended by this process may not be chained yet (cheap; any thread).
  bool pending() const { return appends_.load(std::memory_order_acquire) > caughtUp_.load(std::memory_order_acquire); }
  /// Closes the file (lexosd stopping; ready() opens it again).
  void close();

  /// Appends one read's events (throws when the record cannot be written whole: the read is
  /// then answered with an error, never unrecorded). Any thread; ready() first.
  void append(const sdk::Principal& actor, const std::string& address, const std::string& requestId,
              const std::vector<BufferedAudit::Event>& events);

  /// Chains every complete record not chained yet, in `c`'s open write transaction (scope left
  /// at {restoreFirm, 0}). Returns the number of events chained. No file, or one this process
  /// may not read: 0.
  std::int64_t drainIn(Connection& c, std::int64_t restoreFirm);
  /// drainIn() in a write transaction of its own on `c` (outside any transaction); then, in
  /// lexosd (resetting = true), empties a large file that is all chained.
  std::int64_t drain(Connection& c, bool resetting);
  /// lexosd at start, before serving: chains everything, stepping over bytes that are not a
  /// whole record (a write cut short when a process died), then empties the file.
  std::int64_t recover(Connection& c);

 private:
  explicit AuditJournal(std::string file) : file_(std::move(file)) {}
  struct Record {
    std::int64_t firm = 0;
    std::string at, who, address, requestId;
    std::vector<BufferedAudit::Event> events;
  };
  std::int64_t drainLocked(Connection& c, std::int64_t restoreFirm, bool skipBad, std::int64_t* end);
  void resetLocked(Connection& c);
  static bool decode(const std::string& buf, std::size_t pos, std::size_t* next, Record* out);

  std::string file_;
  std::shared_mutex appenders_;  // shared: an append; exclusive: emptying the file
  int fd_ = -1;                  // O_APPEND, opened by ready()
  std::atomic<bool> ready_{false};
  std::atomic<std::uint64_t> appends_{0};   // records this process appended
  std::atomic<std::uint64_t> caughtUp_{0};  // appends_ as read before a drain that reached the end
  std::string problem_;
};

}  // namespace lexos::core
