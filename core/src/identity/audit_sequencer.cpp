#include "identity/audit_sequencer.h"

#include <Poco/Logger.h>

#include <algorithm>

#include "common/tokens.h"
#include "identity/audit_journal.h"
#include "identity/audit_log.h"

namespace lexos::core {

namespace {

// The chain lock of a firm: the one lexos_audit_append (core migration 10) takes.
const char* kLockSql = "SELECT pg_advisory_xact_lock(7345002, ($1::bigint % 2147483647)::int)";
const char* kTryLockSql = "SELECT pg_try_advisory_xact_lock(7345002, ($1::bigint % 2147483647)::int)";

void warn(const std::string& text) {
  // At most one line every ten seconds: a database outage would otherwise fill the log.
  static std::atomic<std::int64_t> last{0};
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  std::int64_t prev = last.load();
  if (now - prev >= 10 && last.compare_exchange_strong(prev, now)) Poco::Logger::get("lexosd").warning(text);
}

}  // namespace

std::int64_t AuditSequencer::chainFirm(Connection& c, std::int64_t firm, bool wait) {
  std::int64_t total = 0;
  const bool pg = c.backend() == sdk::Backend::PostgreSQL;
  // SQLite: reads' events wait in the read journal; whoever reads or verifies the log takes them
  // into the chain first (all firms' at once: one file).
  if (!pg)
    if (auto* journal = AuditJournal::of(c)) journal->drain(c, false);
  for (;;) {
    c.beginScoped(true, {firm, 0});
    try {
      if (pg) {
        auto got = c.query(wait ? kLockSql : kTryLockSql, {firm});
        if (!wait && !sdk::asBool(got.rows.at(0).at(0))) {
          c.rollback();
          return total > 0 ? total : -1;
        }
      }
      // By the primary key (firm_id, id): the table churns (every row is deleted soon after its
      // insert), and a plan that reads it in heap order walks every dead row's page first.
      auto pending = c.query("SELECT id, at, actor, action, object_type, object_id, address, request_id, detail "
                             "FROM audit_pending WHERE firm_id = $1 ORDER BY firm_id, id LIMIT " + std::to_string(kBatch),
                             {firm});
      if (pending.empty()) {
        c.commit();
        return total;
      }
      auto last = c.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {});
      std::int64_t seq = last.empty() ? 0 : sdk::asInt(last.rows[0][0]);
      std::string prev = last.empty() ? std::string(64, '0') : sdk::asText(last.rows[0][1]);
      std::string ids;
      std::vector<std::vector<sdk::Value>> rows;
      rows.reserve(pending.size());
      for (auto& r : pending.rows) {
        ids += (ids.empty() ? "" : ",") + std::to_string(sdk::asInt(r[0]));
        std::vector<sdk::Value> row = {++seq};
        row.insert(row.end(), r.begin() + 1, r.end());
        const std::string hash = hashToken(prev + AuditLog::canonical(row));
        row.insert(row.begin(), firm);
        row.push_back(prev);
        row.push_back(hash);
        rows.push_back(std::move(row));
        prev = hash;
      }
      if (pg) {
        static const std::string insert = AuditLog::unnestInsert(
            "audit_log",
            {"firm_id", "seq", "at", "actor", "action", "object_type", "object_id", "address", "request_id", "detail", "prev_hash", "hash"},
            {"bigint", "bigint", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text"});
        c.execute(insert, AuditLog::arrayParams(rows, 12));
      } else {
        AuditLog::insertRows(c, "INSERT INTO audit_log (firm_id, seq, at, actor, action, object_type, object_id, address, "
                                "request_id, detail, prev_hash, hash)", 12, rows);
      }
      // By the ids read: a row committed meanwhile (a lower id from a slower request, on
      // PostgreSQL) is not in this batch and must not be deleted with it.
      // One statement text whatever the ids (an array on PostgreSQL), so it is prepared once per
      // connection rather than once per batch.
      if (pg)
        c.execute("DELETE FROM audit_pending WHERE firm_id = $1 AND id = ANY(CAST($2 AS bigint[]))", {firm, "{" + ids + "}"});
      else
        c.execute("DELETE FROM audit_pending WHERE firm_id = $1 AND id IN (" + ids + ")", {firm});
      c.commit();
      total += static_cast<std::int64_t>(pending.size());
      if (pending.size() < kBatch) return total;
    } catch (...) {
      try {
        if (c.inTransaction()) c.rollback();
      } catch (...) {
      }
      throw;
    }
  }
}

void AuditSequencer::recordRead(Connection& c, const sdk::Principal& actor, const std::string& address,
                                const std::string& requestId, const std::vector<BufferedAudit::Event>& events) {
  if (events.empty() || actor.firm_id == 0) return;
  if (journal_ && journal_->ready()) {
    // SQLite: one append to the read journal, durable once written; chained by this node's
    // thread within milliseconds, or by the next write or reader of the log, whichever is first.
    journal_->append(actor, address, requestId, events);
    AuditLog::noteRecorded(actor.firm_id);
    return;
  }
  Waiting me;
  me.actor = &actor;
  me.address = &address;
  me.requestId = &requestId;
  me.events = &events;
  std::unique_lock<std::mutex> lock(groupMutex_);
  group_.push_back(&me);
  if (!committing_) {
    committing_ = true;
    me.lead = true;
  }
  while (!me.done && !me.lead) me.wake.wait(lock);
  if (!me.done) {
    // Lead: write everyone waiting (this request included) in one transaction.
    std::vector<Waiting*> batch;
    batch.swap(group_);
    lock.unlock();
    std::exception_ptr error;
    std::vector<std::int64_t> firms;
    try {
      std::vector<AuditLog::Recorded> all;
      for (const Waiting* w : batch) all.push_back({w->actor, w->address, w->requestId, w->events});
      commitReads(c, all, firms);
    } catch (...) {
      error = std::current_exception();
    }
    if (!error)
      for (auto firm : firms) notify(firm);
    lock.lock();
    for (Waiting* w : batch) {
      w->done = true;
      w->error = error;
      if (w != &me) w->wake.notify_one();
    }
    // Reads that arrived meanwhile: the first of them leads the next commit.
    if (group_.empty()) {
      committing_ = false;
    } else {
      group_.front()->lead = true;
      group_.front()->wake.notify_one();
    }
  }
  lock.unlock();
  if (me.error) std::rethrow_exception(me.error);
}

void AuditSequencer::commitReads(Connection& c, std::vector<AuditLog::Recorded>& batch,
                                 std::vector<std::int64_t>& firms) {
  if (batch.empty()) return;
  std::stable_sort(batch.begin(), batch.end(), [](const AuditLog::Recorded& a, const AuditLog::Recorded& b) {
    return a.actor->firm_id < b.actor->firm_id;
  });
  const bool pg = c.backend() == sdk::Backend::PostgreSQL;
  try {
    if (pg && batch.front().actor->firm_id == batch.back().actor->firm_id) {
      // The usual batch, one firm's: one round trip (settings, insert and commit pipelined).
      AuditLog::appendMany(c, batch, true);
      firms.push_back(batch.front().actor->firm_id);
      return;
    }
    c.begin(true);
    std::vector<AuditLog::Recorded> same;  // PostgreSQL: one firm's, written together
    auto flush = [&] {
      if (!same.empty()) AuditLog::appendMany(c, same);
      same.clear();
    };
    for (const auto& r : batch) {
      if (firms.empty() || firms.back() != r.actor->firm_id) {
        flush();
        firms.push_back(r.actor->firm_id);
        c.setScope({r.actor->firm_id, 0});
      }
      if (pg)
        same.push_back(r);
      else
        AuditLog::append(c, *r.actor, *r.address, *r.requestId, *r.events);
    }
    flush();
    c.commit();
  } catch (...) {
    firms.clear();
    try {
      if (c.inTransaction()) c.rollback();
    } catch (...) {
    }
    throw;
  }
}

std::shared_ptr<DeferredRecord> AuditSequencer::recordReadLater(Connection& c, const sdk::Principal& actor,
                                                                const std::string& address,
                                                                const std::string& requestId,
                                                                const std::vector<BufferedAudit::Event>& events) {
  if (events.empty() || actor.firm_id == 0) return nullptr;
  if (!(journal_ && journal_->ready())) {
    std::unique_lock<std::mutex> lock(laterMutex_);
    if (recorderRunning_ && !recorderStopping_) {
      auto record = std::make_shared<DeferredRecord>();
      const bool first = later_.empty();
      later_.push_back(Later{actor, address, requestId, events, record});
      lock.unlock();
      if (first) laterWake_.notify_one();
      return record;
    }
  }
  recordRead(c, actor, address, requestId, events);
  return nullptr;
}

void AuditSequencer::recorderRun() {
  std::unique_lock<std::mutex> lock(laterMutex_);
  for (;;) {
    laterWake_.wait(lock, [this] { return recorderStopping_ || !later_.empty(); });
    if (later_.empty()) return;  // stopping, and nothing left to commit
    std::vector<Later> batch;
    batch.swap(later_);
    lock.unlock();
    // Everything queued while the last commit ran goes in this one: one transaction (one round
    // trip for one firm's) however many views wait.
    std::vector<AuditLog::Recorded> all;
    all.reserve(batch.size());
    for (const Later& l : batch) all.push_back({&l.actor, &l.address, &l.requestId, &l.events});
    std::vector<std::int64_t> firms;
    bool ok = true;
    try {
      auto lease = pool_.acquire();
      commitReads(*lease, all, firms);
    } catch (const std::exception& e) {
      ok = false;
      warn(std::string("audit: recording portal views failed (their requests are answered 503): ") + e.what());
    } catch (...) {
      ok = false;
      warn("audit: recording portal views failed (their requests are answered 503)");
    }
    (void)AuditLog::takeRecordedFirms();  // this thread notifies the firms itself
    if (ok)
      for (auto firm : firms) notify(firm);
    for (Later& l : batch) {
      try {
        l.record->complete(ok);
      } catch (const std::exception& e) {  // a connection layer that could not take the answer back
        warn(std::string("audit: handing a held answer back failed: ") + e.what());
      }
    }
    lock.lock();
  }
}

void DeferredRecord::onDone(std::function<void(bool ok)> f) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!done_) {
    then_ = std::move(f);
    return;
  }
  const bool ok = ok_;
  lock.unlock();
  f(ok);
}

void DeferredRecord::complete(bool ok) {
  std::function<void(bool)> f;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    ok_ = ok;
    f.swap(then_);
  }
  if (f) f(ok);
}

void AuditSequencer::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  std::lock_guard<std::mutex> lock(laterMutex_);
  if (!recorder_.joinable()) {
    recorderStopping_ = false;
    recorderRunning_ = true;
    recorder_ = std::thread([this] { recorderRun(); });
  }
}

void AuditSequencer::stop() {
  // The recorder first: what it holds is committed (and its answers released) before the
  // sequencer's last pass chains it.
  {
    std::lock_guard<std::mutex> lock(laterMutex_);
    recorderStopping_ = true;
  }
  laterWake_.notify_all();
  if (recorder_.joinable()) recorder_.join();
  {
    std::lock_guard<std::mutex> lock(laterMutex_);
    recorderRunning_ = false;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AuditSequencer::notify(std::int64_t firm) {
  if (firm <= 0) return;
  bool first;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    first = dirty_.empty();
    dirty_.insert(firm);
  }
  if (first) wake_.notify_one();
}

void AuditSequencer::notifyRecorded() {
  for (auto firm : AuditLog::takeRecordedFirms()) notify(firm);
}

void AuditSequencer::catchUp(Connection& c) {
  if (!journal_ || !journal_->pending()) return;
  try {
    journal_->drain(c, false);
  } catch (const std::exception& e) {
    warn(std::string("audit: chaining the read journal failed (will retry): ") + e.what());
  }
}

void AuditSequencer::chainNow(std::int64_t firm) {
  try {
    auto lease = pool_.acquire();
    chainFirm(*lease, firm, true);
  } catch (const std::exception& e) {
    warn(std::string("audit: chaining the pending events of firm ") + std::to_string(firm) + " failed: " + e.what());
  }
}

bool AuditSequencer::pass(std::set<std::int64_t>& firms, bool wait) {
  // Firms left in `firms` are to be tried again (busy elsewhere, or the database failed).
  bool failed = false;
  try {
    auto lease = pool_.acquire();
    if (journal_) chained_ += static_cast<std::uint64_t>(journal_->drain(*lease, true));
    for (auto it = firms.begin(); it != firms.end();) {
      const std::int64_t n = chainFirm(*lease, *it, wait);
      if (n < 0) {
        ++it;
        continue;
      }
      chained_ += static_cast<std::uint64_t>(n);
      it = firms.erase(it);
    }
  } catch (const std::exception& e) {
    failed = true;
    warn(std::string("audit: chaining pending events failed (will retry): ") + e.what());
  }
  return !failed;
}

void AuditSequencer::sweep(std::set<std::int64_t>& firms) {
  try {
    auto lease = pool_.acquire();
    for (const auto& r : lease->query("SELECT id FROM firms", {}).rows) firms.insert(sdk::asInt(r[0]));
  } catch (const std::exception& e) {
    warn(std::string("audit: listing firms for the pending sweep failed: ") + e.what());
  }
}

void AuditSequencer::run() {
  std::set<std::int64_t> todo;
  sweep(todo);  // what a node that was killed left pending
  auto nextSweep = std::chrono::steady_clock::now() + kSweepInterval;
  auto retryDelay = std::chrono::milliseconds(10);
  for (;;) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (todo.empty() && dirty_.empty() && !stopping_) wake_.wait_until(lock, nextSweep);
      stopping = stopping_;
    }
    if (!stopping) std::this_thread::sleep_for(kLinger);  // let a burst gather into one batch
    {
      std::lock_guard<std::mutex> lock(mutex_);
      todo.insert(dirty_.begin(), dirty_.end());
      dirty_.clear();
    }
    if (std::chrono::steady_clock::now() >= nextSweep) {
      sweep(todo);
      nextSweep = std::chrono::steady_clock::now() + kSweepInterval;
    }
    const bool ok = pass(todo, stopping);
    if (stopping) return;
    if (!todo.empty()) {
      // Busy elsewhere (another node chains the firm) or the database failed: try again later,
      // backing off to a second while it keeps failing.
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, retryDelay, [this] { return stopping_; });
      retryDelay = ok ? std::chrono::milliseconds(10) : std::min(retryDelay * 2, std::chrono::milliseconds(1000));
    } else {
      retryDelay = std::chrono::milliseconds(10);
    }
  }
}

}  // namespace lexos::core
