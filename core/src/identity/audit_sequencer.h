#pragma once
// The audit ledger's sequencer (issue 15, docs/audit.md): every event (a change, a portal client
// viewing a matter or downloading a document, a refusal) is recorded by AuditLog::append without
// the firm's chain lock, in audit_pending, in the request's transaction or a short one of its own,
// committed before the answer leaves; a background thread chains them into the firm's
// hash-chained audit_log in the order of their ids, in batches, under the chain lock.
//
// Guarantees: an event whose answer was sent is durable (in audit_pending or audit_log); each
// pending event is chained exactly once (inserted into audit_log and deleted from audit_pending
// in one transaction); whoever reads the log through the API or verifies it (`lexosctl audit
// verify`) chains what is pending first, so neither ever misses an event; a node that was killed
// leaves its pending events to the next sweep of any node (at start and every kSweepInterval).
// On PostgreSQL several nodes may run a sequencer: the chain lock (the advisory lock
// lexos_audit_append takes) is tried, and a firm another node is chaining is left to it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "data/connection.h"
#include "data/connection_pool.h"
#include "identity/audit_log.h"
#include "identity/buffered_audit.h"
#include "lexos/sdk/principal.h"

namespace lexos::core {

class AuditSequencer {
 public:
  /// Events per transaction of the sequencer.
  static constexpr std::size_t kBatch = 500;
  /// How long the sequencer lets events gather after the first one arrives.
  static constexpr std::chrono::milliseconds kLinger{5};
  /// Every firm's pending list is looked at this often (and at start).
  static constexpr std::chrono::seconds kSweepInterval{30};

  /// Chains the firm's pending events on `c` (outside any transaction; each batch is a
  /// transaction of its own). With `wait` false, a firm whose chain lock is held elsewhere is
  /// left alone: returns -1 then. Otherwise the number of events chained.
  static std::int64_t chainFirm(Connection& c, std::int64_t firm, bool wait);

  explicit AuditSequencer(ConnectionPool& pool) : pool_(pool) {}
  ~AuditSequencer() { stop(); }
  AuditSequencer(const AuditSequencer&) = delete;
  AuditSequencer& operator=(const AuditSequencer&) = delete;

  /// Starts the background thread (which sweeps every firm first).
  void start();
  /// Chains what this node knows is pending, then ends the thread.
  void stop();
  /// A request recorded events for `firm` (committed): chain them soon.
  void notify(std::int64_t firm);
  /// notify() for each firm this thread recorded events for (AuditLog::takeRecordedFirms).
  void notifyRecorded();
  /// Chains the firm's pending events now, on the caller's thread with a connection of its own
  /// (the audit log's readers). Errors are logged, not thrown: the log shows what is chained.
  void chainNow(std::int64_t firm);

  /// Records the events of a read (a portal view, a download) and returns once they are
  /// committed to audit_pending. Reads that arrive while another's commit runs are written
  /// together in the next one (group commit), on the connection of whichever of them leads:
  /// one transaction for many views instead of one each. Throws what the commit threw (the
  /// read is then answered with an error: an answered view is always recorded).
  void recordRead(Connection& c, const sdk::Principal& actor, const std::string& address,
                  const std::string& requestId, const std::vector<BufferedAudit::Event>& events);

  /// Records the events of a read without waiting for them: the journal takes them at once
  /// (SQLite; returns null), or they join the next group commit of this node's recorder thread
  /// (returns the record, which says when they are committed). The caller holds its answer
  /// until then (http/server.cpp): an answered view is still always recorded, but no worker
  /// thread sleeps through the commit. Without the recorder running (stopped), recorded as by
  /// recordRead() on `c` (returns null).
  std::shared_ptr<class DeferredRecord> recordReadLater(Connection& c, const sdk::Principal& actor,
                                                        const std::string& address, const std::string& requestId,
                                                        const std::vector<BufferedAudit::Event>& events);

  /// SQLite: record reads' events in the database's read journal (identity/audit_journal.h)
  /// instead of a group commit; this thread chains them (and empties the file now and then).
  void useJournal(class AuditJournal* journal) { journal_ = journal; }

  /// SQLite: chains what the read journal holds now, if this process appended anything not
  /// chained yet (`c` outside a transaction). Staff requests call it before theirs begins, so a
  /// ledger or audit page shows the views answered just before. Errors are logged, not thrown.
  void catchUp(Connection& c);

  /// Events chained by this node's thread since start (tests, diagnostics).
  std::uint64_t chained() const { return chained_.load(); }

 private:
  void run();
  bool pass(std::set<std::int64_t>& firms, bool wait);
  void sweep(std::set<std::int64_t>& firms);

  ConnectionPool& pool_;
  class AuditJournal* journal_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<std::int64_t> dirty_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<std::uint64_t> chained_{0};

  // Group commit of reads' events (recordRead).
  // Each waiting read sleeps on its own condition: the leader wakes exactly the requests it
  // committed, and hands the lead to one of those that arrived meanwhile (a shared condition
  // woke every waiter at every commit, most of them only to sleep again).
  struct Waiting {
    const sdk::Principal* actor = nullptr;
    const std::string* address = nullptr;
    const std::string* requestId = nullptr;
    const std::vector<BufferedAudit::Event>* events = nullptr;
    bool done = false;
    bool lead = false;
    std::exception_ptr error;
    std::condition_variable wake;
  };
  std::mutex groupMutex_;
  std::vector<Waiting*> group_;
  bool committing_ = false;
  /// Commits the reads of `batch` (sorted by firm) on `c`, outside a transaction; the firms
  /// recorded for in `firms`. Throws what the database threw (nothing committed then).
  static void commitReads(Connection& c, std::vector<AuditLog::Recorded>& batch, std::vector<std::int64_t>& firms);

  // The recorder thread (recordReadLater): reads whose answers wait, committed together.
  struct Later {
    sdk::Principal actor;
    std::string address, requestId;
    std::vector<BufferedAudit::Event> events;
    std::shared_ptr<DeferredRecord> record;
  };
  void recorderRun();
  std::mutex laterMutex_;
  std::condition_variable laterWake_;
  std::vector<Later> later_;
  bool recorderStopping_ = false;
  bool recorderRunning_ = false;
  std::thread recorder_;
};

/// The events of one read, waiting for the recorder's commit (AuditSequencer::recordReadLater).
class DeferredRecord {
 public:
  /// Runs `f` once the commit is over (ok: committed; else the commit failed), on the recorder's
  /// thread, or at once on the caller's if it already is. `f` must not block.
  void onDone(std::function<void(bool ok)> f);
  void complete(bool ok);

 private:
  std::mutex mutex_;
  bool done_ = false, ok_ = false;
  std::function<void(bool)> then_;
};

}  // namespace lexos::core
